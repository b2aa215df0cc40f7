package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// envVar binds one HUMAS_* variable to a field.
type envVar struct {
	name string
	key  string // the YAML key it overrides, for error messages
	set  func(c *Config, v string) error
}

// envVars has a variable for every key of Config, derived from the
// struct: the name is HUMAS_ and the YAML path in capitals with "_" for
// "." (graph.timeout: HUMAS_GRAPH_TIMEOUT), unless an env tag names it
// (graph.app_id: HUMAS_APP_ID). A new key gets its variable with no
// further edit; TestEnvNamesGolden and the README table follow it.
var envVars = deriveEnv()

func deriveEnv() []envVar {
	var out []envVar
	var walk func(t reflect.Type, index []int, path string)
	walk = func(t reflect.Type, index []int, path string) {
		for i := range t.NumField() {
			f := t.Field(i)
			key := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if key == "" || key == "-" {
				continue
			}
			if path != "" {
				key = path + "." + key
			}
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx, key)
				continue
			}
			name := f.Tag.Get("env")
			if name == "" {
				name = "HUMAS_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			}
			out = append(out, envVar{name: name, key: key, set: setter(f.Type, idx)})
		}
	}
	walk(reflect.TypeFor[Config](), nil, "")
	return out
}

var (
	durationType = reflect.TypeFor[Duration]()
	stringsType  = reflect.TypeFor[[]string]()
)

// setter parses an environment value into the field at index: strings and
// secrets as they are, booleans, whole numbers, durations ("30s", "7d"),
// string lists comma-separated, anything else (the cadence) as YAML.
func setter(t reflect.Type, index []int) func(*Config, string) error {
	return func(c *Config, v string) error {
		f := reflect.ValueOf(c).Elem().FieldByIndex(index)
		switch {
		case t == durationType:
			d, err := parseDuration(v)
			if err != nil {
				return errors.New("want a duration like 30s, 15m, 6h or 7d")
			}
			f.SetInt(int64(d))
		case t == stringsType:
			var out []string
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
			f.Set(reflect.ValueOf(out))
		case t.Kind() == reflect.String:
			f.SetString(v)
		case t.Kind() == reflect.Bool:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("want true or false")
			}
			f.SetBool(b)
		case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("want a whole number")
			}
			f.SetInt(n)
		default:
			p := reflect.New(t)
			if err := yaml.Unmarshal([]byte(v), p.Interface()); err != nil {
				return fmt.Errorf("want YAML for %s, e.g. [{up_to: 1d, every: 1h}]", t)
			}
			f.Set(p.Elem())
		}
		return nil
	}
}

// EnvNames returns the supported HUMAS_* variables and the keys they set,
// in the order of the configuration struct.
func EnvNames() [][2]string {
	out := make([][2]string, len(envVars))
	for i, e := range envVars {
		out[i] = [2]string{e.name, e.key}
	}
	return out
}

func applyEnv(c *Config, lookup func(string) (string, bool)) error {
	var errs ValidationError
	for _, e := range envVars {
		v, ok := lookup(e.name)
		if !ok {
			continue
		}
		if err := e.set(c, v); err != nil {
			errs = append(errs, FieldError{Key: e.key + " (" + e.name + ")", Value: v, Allowed: err.Error()})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// fieldf builds a FieldError with a formatted allowed text.
func fieldf(key string, value any, format string, args ...any) FieldError {
	return FieldError{Key: key, Value: fmt.Sprint(value), Allowed: fmt.Sprintf(format, args...)}
}
