package scenario

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	scenarioType = reflect.TypeFor[Scenario]()
	dateType     = reflect.TypeFor[Date]()
)

// checker walks a document against the Scenario type before it is
// decoded: it refuses unknown keys, repeated keys, keys without a value and
// values of the wrong type, naming the key path and line, and records the
// line of every key for the errors of Validate.
type checker struct {
	lines map[string]int // key path -> line of the key
	errs  []*FieldError
}

func (c *checker) bad(n *yaml.Node, path, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// lineOf is the line of path, else of its nearest ancestor in the file.
func (c *checker) lineOf(path string) int {
	for path != "" {
		if l, ok := c.lines[path]; ok {
			return l
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldsOf maps the yaml keys of struct type t to their field types, and
// lists the keys in order.
func fieldsOf(t reflect.Type) (map[string]reflect.Type, []string) {
	m := map[string]reflect.Type{}
	var keys []string
	for f := range t.Fields() {
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		m[key] = f.Type
		keys = append(keys, key)
	}
	return m, keys
}

func (c *checker) walk(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		c.bad(n, path, "has no value (leave the key out to keep the default)")
		return
	}
	tag := n.ShortTag()
	scalar := n.Kind == yaml.ScalarNode
	switch {
	case t == dateType:
		if !scalar || (tag != "!!str" && tag != "!!timestamp") {
			c.bad(n, path, "expected a date YYYY-MM-DD, found %s", describe(n))
		} else if _, err := ParseDate(n.Value); err != nil {
			c.bad(n, path, "%v", err)
		}
	case t.Kind() == reflect.Struct:
		fields, keys := fieldsOf(t)
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "expected a mapping of %s, found %s", strings.Join(keys, ", "), describe(n))
			return
		}
		c.mapping(n, path, func(k, v *yaml.Node, kp string) {
			ft, ok := fields[k.Value]
			if !ok {
				where := path
				if where == "" {
					where = "a scenario"
				}
				c.bad(k, kp, "unknown key (%s has %s)", where, strings.Join(keys, ", "))
				return
			}
			c.walk(v, ft, kp)
		})
	case t.Kind() == reflect.Map: // budget.per_year_mad: years to amounts
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "expected a mapping of years to amounts, found %s", describe(n))
			return
		}
		c.mapping(n, path, func(k, v *yaml.Node, kp string) {
			if _, err := parseYear(k.Value); err != nil {
				c.bad(k, kp, "%v", err)
				return
			}
			c.walk(v, t.Elem(), kp)
		})
	case t.Kind() == reflect.Float64:
		if !scalar || (tag != "!!int" && tag != "!!float") {
			c.bad(n, path, "expected a number, found %s", describe(n))
		}
	case t.Kind() == reflect.Int:
		if !scalar || tag != "!!int" {
			c.bad(n, path, "expected a whole number, found %s", describe(n))
		}
	case t.Kind() == reflect.Bool:
		if !scalar || tag != "!!bool" {
			c.bad(n, path, "expected true or false, found %s", describe(n))
		}
	case t.Kind() == reflect.String:
		if !scalar {
			c.bad(n, path, "expected text, found %s", describe(n))
		}
	default:
		panic("scenario: checker does not know " + t.String())
	}
}

// mapping calls each for every key of n that is a scalar and not repeated,
// after recording its line.
func (c *checker) mapping(n *yaml.Node, path string, each func(k, v *yaml.Node, kp string)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.bad(k, path, "a key must be a name, found %s", describe(k))
			continue
		}
		kp := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			c.bad(k, kp, "is given twice (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		c.lines[kp] = k.Line
		each(k, v, kp)
	}
}
