package validation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/util/diff"
)

// internalDiff is the diff upstream puts in its "pod updates may not
// change fields" messages: diff.Diff of the internal types, which have no
// json tags, so their JSON has Go field names, in declaration order, zero
// values included. goFieldJSON gives the v1 types the same shape. In v1.37
// the internal pod types have the v1 types' fields in the v1 order (checked
// for PodSpec, Container, Volume, probes, security contexts, ...), so the
// diff text is upstream's.
func internalDiff(a, b any) string {
	return diff.Diff(goFieldJSON(reflect.ValueOf(a)), goFieldJSON(reflect.ValueOf(b)))
}

var marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// orderedObject is a JSON object whose keys keep their order.
type orderedObject []orderedField

type orderedField struct {
	key   string
	value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// goFieldJSON turns v into values that encoding/json renders as it renders
// a struct without json tags.
func goFieldJSON(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)) {
		return v.Interface()
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return goFieldJSON(v.Elem())
	case reflect.Struct:
		var out orderedObject
		appendStructFields(&out, v)
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return v.Interface()
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = goFieldJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			out[fmt.Sprint(iter.Key().Interface())] = goFieldJSON(iter.Value())
		}
		return out
	}
	return v.Interface()
}

func appendStructFields(out *orderedObject, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			appendStructFields(out, v.Field(i))
			continue
		}
		*out = append(*out, orderedField{key: f.Name, value: goFieldJSON(v.Field(i))})
	}
}
