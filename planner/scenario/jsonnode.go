package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// jsonNode reads a JSON document into the node tree YAML documents give,
// with the line of every key and value, so that both formats are checked
// and decoded by the same code. (The YAML parser itself refuses some valid
// JSON, such as the escapes \/ and surrogate pairs.) nil for null.
func jsonNode(b []byte) (*yaml.Node, error) {
	r := jsonReader{dec: json.NewDecoder(bytes.NewReader(b)), b: b}
	r.dec.UseNumber()
	for i, c := range b {
		if c == '\n' {
			r.newlines = append(r.newlines, int64(i))
		}
	}
	n, err := r.value(0)
	if err != nil {
		return nil, r.fail(err)
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, &FieldError{Line: r.line(), Msg: "invalid JSON: data after the document"}
	}
	return topLevel(n)
}

type jsonReader struct {
	dec      *json.Decoder
	b        []byte
	newlines []int64 // offsets of '\n'
}

const maxJSONDepth = 64

// line is the 1-based line of the decoder's position (the end of the last
// token, which is on the token's line: JSON tokens hold no newline).
func (r *jsonReader) line() int { return r.lineAt(r.dec.InputOffset()) }

// lineAt is the 1-based line of byte offset off.
func (r *jsonReader) lineAt(off int64) int {
	return 1 + sort.Search(len(r.newlines), func(i int) bool { return r.newlines[i] >= off })
}

func (r *jsonReader) fail(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset is where the decoder stood, before the white space that
		// precedes the offending token.
		off := se.Offset
		for off < int64(len(r.b)) && strings.IndexByte(" \t\r\n", r.b[off]) >= 0 {
			off++
		}
		return &FieldError{Line: r.lineAt(off), Msg: "invalid JSON: " + se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FieldError{Line: r.line(), Msg: "invalid JSON: unexpected end of the document"}
	}
	return &FieldError{Line: r.line(), Msg: "invalid JSON: " + err.Error()}
}

func (r *jsonReader) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, &FieldError{Line: r.line(), Msg: "invalid JSON: nested too deeply"}
	}
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	line := r.line()
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
			for r.dec.More() {
				kt, err := r.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string) // the decoder gives only strings as keys
				k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: key, Line: r.line()}
				val, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k, val)
			}
			if _, err := r.dec.Token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
			for r.dec.More() {
				val, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
			if _, err := r.dec.Token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: v, Line: line}, nil
	case json.Number:
		s := string(v)
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, &FieldError{Line: line, Msg: "invalid JSON: number " + s + " is out of range"}
		}
		tag := "!!int"
		if strings.ContainsAny(s, ".eE") {
			tag = "!!float"
		} else if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			tag = "!!float" // too large for an integer
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s, Line: line}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v), Line: line}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
	}
	return nil, &FieldError{Line: line, Msg: "invalid JSON: unexpected token"}
}
