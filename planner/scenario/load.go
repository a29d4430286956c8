package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrInvalid is wrapped by every error about the content of a scenario
// file or an item (errors.Is(err, ErrInvalid)).
var ErrInvalid = errors.New("scenario: invalid")

// FieldError is one problem in a scenario: the key path (dot-separated,
// "fibre.civil_works_mad_per_km.urban"), the file and line when known, and
// what is wrong.
type FieldError struct {
	File string // as given to Parse or Load; may be empty
	Line int    // 1-based line of the key in the file; 0 when unknown
	Path string // key path; empty for a problem with the whole document
	Msg  string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Fields returns every *FieldError in err, in order (Parse and Validate
// join several).
func Fields(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

func joinFields(fs []*FieldError) error {
	if len(fs) == 0 {
		return nil
	}
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = f
	}
	return errors.Join(errs...)
}

type format int

const (
	formatYAML format = iota + 1
	formatJSON
)

// Load reads and validates the scenario file at path (see Parse).
func Load(path string) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, b)
}

// Parse reads and validates a scenario file named name (used for the
// format and in errors). The format is JSON for a name ending in .json,
// YAML for .yaml or .yml, and otherwise JSON when the content is valid
// JSON, else YAML. Keys left out keep their defaults (default.yaml); a map
// given (budget.per_year_mad) replaces the default map. An empty document
// is the default scenario.
//
// Refused, each as a *FieldError naming the key path and line: unknown
// keys, keys given twice, keys without a value, values of the wrong type,
// and every rule of Validate. The error wraps ErrInvalid; Fields lists its
// problems.
func Parse(name string, b []byte) (Scenario, error) {
	s := Default()
	if err := decodeInto(&s, b, detect(name, b), name); err != nil {
		return Scenario{}, err
	}
	return s, nil
}

var bom = []byte("\xef\xbb\xbf")

func detect(name string, b []byte) format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return formatJSON
	case ".yaml", ".yml":
		return formatYAML
	}
	if json.Valid(bytes.TrimPrefix(b, bom)) {
		return formatJSON
	}
	return formatYAML
}

// decodeInto overlays the document b on *s and validates the result.
func decodeInto(s *Scenario, b []byte, f format, name string) error {
	b = bytes.TrimPrefix(b, bom)
	var root *yaml.Node
	var err error
	if f == formatJSON {
		root, err = jsonNode(b)
	} else {
		root, err = yamlNode(b)
	}
	if err != nil {
		if fe, ok := err.(*FieldError); ok {
			fe.File = name
		}
		return err
	}
	c := checker{lines: map[string]int{}}
	if root != nil {
		c.walk(root, scenarioType, "")
		if len(c.errs) > 0 {
			for _, e := range c.errs {
				e.File = name
			}
			return joinFields(c.errs)
		}
		if _, ok := c.lines["budget.per_year_mad"]; ok {
			s.Budget.PerYearMAD = nil // a map given replaces the default
		}
		if f == formatYAML {
			dec := yaml.NewDecoder(bytes.NewReader(b))
			dec.KnownFields(true)
			err = dec.Decode(s)
		} else {
			err = root.Decode(s)
		}
		if err != nil { // the checker should have caught it
			return &FieldError{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
	}
	errs := s.validate()
	for _, e := range errs {
		e.File = name
		e.Line = c.lineOf(e.Path)
	}
	return joinFields(errs)
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlNode parses one YAML document; nil when it is empty.
func yamlNode(b []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &FieldError{Line: line, Msg: "invalid YAML: " + m[2]}
		}
		return nil, &FieldError{Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, &FieldError{Line: extra.Line, Msg: "a scenario file holds one YAML document, found another"}
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return topLevel(n)
}

func topLevel(n *yaml.Node) (*yaml.Node, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, &FieldError{Line: n.Line, Msg: "the document must be a mapping of keys, found " + describe(n)}
	}
	return n, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "found ..." messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!str":
		return strconv.Quote(n.Value)
	case "!!null":
		return "no value"
	case "!!timestamp":
		return "the date " + n.Value
	}
	return n.Value
}
