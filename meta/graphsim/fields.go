package graphsim

import (
	"fmt"
	"strings"
)

// field is one entry of a fields= list: name.mod(args)...{sub}.
type field struct {
	name string
	mods map[string]string
	sub  []field
}

// key is the output key: the .as() alias or the name.
func (f field) key() string {
	if a, ok := f.mods["as"]; ok && a != "" {
		return a
	}
	return f.name
}

// parseFields parses Graph field-expansion syntax, e.g.
// "id,reactions.limit(0).summary(total_count),insights.metric(a,b),children{id}".
func parseFields(s string) ([]field, error) {
	p := &fieldParser{s: s}
	list, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
	}
	return list, nil
}

type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *fieldParser) ident() string {
	p.skip()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *fieldParser) list() ([]field, error) {
	var out []field
	for {
		f, err := p.item()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		p.skip()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

func (p *fieldParser) item() (field, error) {
	name := p.ident()
	if name == "" {
		return field{}, fmt.Errorf("field name expected at %d", p.i)
	}
	f := field{name: name, mods: map[string]string{}}
	for p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		m := p.ident()
		if m == "" || p.i >= len(p.s) || p.s[p.i] != '(' {
			return field{}, fmt.Errorf("modifier expected after %s", name)
		}
		end := strings.IndexByte(p.s[p.i:], ')')
		if end < 0 {
			return field{}, fmt.Errorf("unclosed ( in %s.%s", name, m)
		}
		f.mods[m] = strings.TrimSpace(p.s[p.i+1 : p.i+end])
		p.i += end + 1
	}
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		sub, err := p.list()
		if err != nil {
			return field{}, err
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != '}' {
			return field{}, fmt.Errorf("unclosed { in %s", name)
		}
		p.i++
		f.sub = sub
	}
	return f, nil
}

// fieldsParam parses q's fields= or returns the defaults.
func fieldsParam(q *rq, defaults string) ([]field, *gErr) {
	s := q.params.Get("fields")
	if s == "" {
		s = defaults
	}
	fs, err := parseFields(s)
	if err != nil {
		return nil, errInvalidParam("Syntax error in fields: %v", err)
	}
	return fs, nil
}

func splitList(s string) []string {
	var out []string
	s = strings.Trim(strings.TrimSpace(s), "[]")
	for _, p := range strings.Split(s, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
