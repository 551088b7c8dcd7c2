package registry

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Table is a rest.TableConvertor: one row per object, cells from a function.
type Table struct {
	Columns []metav1.TableColumnDefinition
	Cells   func(obj runtime.Object) []interface{}
}

func (t Table) ConvertToTable(_ context.Context, obj runtime.Object, _ runtime.Object) (*metav1.Table, error) {
	out := &metav1.Table{ColumnDefinitions: t.Columns}
	add := func(o runtime.Object) {
		out.Rows = append(out.Rows, metav1.TableRow{Cells: t.Cells(o), Object: runtime.RawExtension{Object: o}})
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

// Age prints a creation time as kubectl's AGE column shows it.
func Age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}
