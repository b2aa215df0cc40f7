package dashboards

import (
	"reflect"
)

func newScan(t reflect.Type) any { return reflect.New(t).Interface() }

// deref turns a scanned pointer into its value (nil for a NULL).
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}
