package conversion

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// AddQueryConversions registers the conversions from query parameters
// (url.Values) to the options of the connect subresources: pods/log,
// exec, attach, portforward and proxy, nodes/proxy and services/proxy. The
// endpoint installer decodes a request's query into these with the scheme,
// as upstream's generated Convert_url_Values_To_v1_* funcs do.
func AddQueryConversions(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{
		register(fromQuery[corev1.PodLogOptions]),
		register(fromQuery[corev1.PodExecOptions]),
		register(fromQuery[corev1.PodAttachOptions]),
		register(fromQuery[corev1.PodPortForwardOptions]),
		register(fromQuery[corev1.PodProxyOptions]),
		register(fromQuery[corev1.NodeProxyOptions]),
		register(fromQuery[corev1.ServiceProxyOptions]),
	} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}

// fromQuery sets each field of out from the query parameter of its JSON
// name, as the generated conversions do: a parameter that is absent resets
// its field; a scalar takes the first value, a slice all of them.
func fromQuery[Out any](in *url.Values, out *Out) error {
	v := reflect.ValueOf(out).Elem()
	if len(*in) == 0 {
		return nil // upstream's parameter codec does not convert an empty query
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue // TypeMeta: not a parameter
		}
		field := v.Field(i)
		values := (*in)[name]
		if len(values) == 0 {
			field.SetZero()
			continue
		}
		if err := setQueryField(field, values); err != nil {
			return fmt.Errorf("parameter %s: %w", name, err)
		}
	}
	return nil
}

// setQueryField converts values into field with apimachinery's
// conversions of query parameters, the ones the generated funcs call: a
// bool is false only for "0" and "false", ports may be comma-separated.
func setQueryField(field reflect.Value, values []string) error {
	switch out := field.Addr().Interface().(type) {
	case *string:
		return runtime.Convert_Slice_string_To_string(&values, out, nil)
	case *bool:
		return runtime.Convert_Slice_string_To_bool(&values, out, nil)
	case **int64:
		return runtime.Convert_Slice_string_To_Pointer_int64(&values, out, nil)
	case **metav1.Time:
		return metav1.Convert_Slice_string_To_Pointer_v1_Time(&values, out, nil)
	case *[]int32:
		return metav1.Convert_Slice_string_To_Slice_int32(&values, out, nil)
	case **string:
		*out = &values[0]
		return nil
	case *[]string:
		*out = append([]string(nil), values...)
		return nil
	}
	panic(fmt.Sprintf("conversion: no query parameter conversion to %s", field.Type()))
}
