package core

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

type schemaGroupResource = schema.GroupResource

func singular(gr schema.GroupResource) schema.GroupResource {
	gr.Resource = strings.TrimSuffix(gr.Resource, "s")
	return gr
}

// table is a rest.TableConvertor: one row per object, cells from a function.
type table struct {
	columns []metav1.TableColumnDefinition
	cells   func(obj runtime.Object) []interface{}
}

func (t table) ConvertToTable(_ context.Context, obj runtime.Object, _ runtime.Object) (*metav1.Table, error) {
	out := &metav1.Table{ColumnDefinitions: t.columns}
	add := func(o runtime.Object) {
		out.Rows = append(out.Rows, metav1.TableRow{Cells: t.cells(o), Object: runtime.RawExtension{Object: o}})
	}
	if meta.IsListType(obj) {
		if err := meta.EachListItem(obj, func(o runtime.Object) error { add(o); return nil }); err != nil {
			return nil, err
		}
		if l, err := meta.ListAccessor(obj); err == nil {
			out.ResourceVersion, out.Continue, out.RemainingItemCount = l.GetResourceVersion(), l.GetContinue(), l.GetRemainingItemCount()
		}
		return out, nil
	}
	add(obj)
	if m, err := meta.Accessor(obj); err == nil {
		out.ResourceVersion = m.GetResourceVersion()
	}
	return out, nil
}
