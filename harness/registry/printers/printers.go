package printers

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/rest"
)

// For returns the table convertor kube-apiserver uses for a built-in
// resource, or nil when its store uses the default one.
func For(resource schema.GroupResource) rest.TableConvertor {
	s := all()
	if !s.resources[resource] {
		return nil
	}
	return convertor{s}
}

// all is every printer, built once: an immutable lookup table.
var all = sync.OnceValue(func() *set {
	s := &set{byType: map[reflect.Type]*printer{}, resources: map[schema.GroupResource]bool{}}
	register(s)
	return s
})

// register adds the printers of every group.
func register(s *set) {
	core(s)
	apps(s)
	batch(s)
	autoscaling(s)
	networking(s)
	policy(s)
	rbac(s)
	storage(s)
	admissionregistration(s)
	certificates(s)
	coordination(s)
	discovery(s)
	flowcontrol(s)
	node(s)
	scheduling(s)
	resourceGroup(s)
	storagemigration(s)
	status(s)
}

// set is upstream's TableGenerator: printers by Go type (an item type and its
// list type share one), and the resources whose stores use it.
type set struct {
	byType    map[reflect.Type]*printer
	resources map[schema.GroupResource]bool
}

// printer prints one kind.
type printer struct {
	columns []metav1.TableColumnDefinition
	// row prints one object; the convertor sets the row's object.
	row func(obj runtime.Object) (metav1.TableRow, error)
	// list prints a list's items when that is more than a row each (sorted,
	// or marked by comparing items); nil prints them one by one.
	list func(items []runtime.Object) ([]metav1.TableRow, error)
}

// add registers the printer of the kind T, whose list is L, for resources.
func add[T, L any, PT interface {
	*T
	runtime.Object
}, PL interface {
	*L
	runtime.Object
}](s *set, columns []metav1.TableColumnDefinition, row func(*T) (metav1.TableRow, error), resources ...schema.GroupResource) *printer {
	p := addObject[T, PT](s, columns, row)
	s.put(reflect.TypeFor[PL](), p)
	for _, r := range resources {
		s.resources[r] = true
	}
	return p
}

// addObject registers the printer of T, a type without a list (Scale,
// Status), printed whichever resource's store is asked to.
func addObject[T any, PT interface {
	*T
	runtime.Object
}](s *set, columns []metav1.TableColumnDefinition, row func(*T) (metav1.TableRow, error)) *printer {
	p := &printer{columns: columns, row: func(obj runtime.Object) (metav1.TableRow, error) { return row(obj.(PT)) }}
	s.put(reflect.TypeFor[PT](), p)
	return p
}

func (s *set) put(t reflect.Type, p *printer) {
	if _, dup := s.byType[t]; dup {
		panic(fmt.Sprintf("printers: two printers for %v", t))
	}
	s.byType[t] = p
}

// cells makes a row of a function of the cells, the common printer.
func cells[T any](f func(*T) []interface{}) func(*T) (metav1.TableRow, error) {
	return func(obj *T) (metav1.TableRow, error) { return metav1.TableRow{Cells: f(obj)}, nil }
}

// convertor is printerstorage.TableConvertor over a set. (registry.Table
// would not do: it ignores NoHeaders and leaves an empty list's rows null.)
type convertor struct{ s *set }

var _ rest.TableConvertor = convertor{}

// ConvertToTable prints obj, an object or a list, with every column (the
// wide ones too); TableOptions.NoHeaders leaves out the column definitions,
// as the watch handler asks after the first event.
func (c convertor) ConvertToTable(_ context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	noHeaders := false
	if tableOptions != nil {
		switch t := tableOptions.(type) {
		case *metav1.TableOptions:
			if t != nil {
				noHeaders = t.NoHeaders
			}
		default:
			return nil, fmt.Errorf("unrecognized type %T for table options, can't display tabular output", tableOptions)
		}
	}
	p, ok := c.s.byType[reflect.TypeOf(obj)]
	if !ok {
		return nil, fmt.Errorf("no table handler registered for this type %v", reflect.TypeOf(obj))
	}
	rows, err := p.rows(obj)
	if err != nil {
		return nil, err
	}
	table := &metav1.Table{Rows: rows}
	if !noHeaders {
		table.ColumnDefinitions = slices.Clone(p.columns)
	}
	if m, err := meta.ListAccessor(obj); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
		table.Continue = m.GetContinue()
		table.RemainingItemCount = m.GetRemainingItemCount()
	} else if m, err := meta.CommonAccessor(obj); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
	}
	return table, nil
}

// rows prints an object or the items of a list, each row carrying its object.
// A list's rows are never nil, so an empty list is "rows": [] as upstream's.
func (p *printer) rows(obj runtime.Object) ([]metav1.TableRow, error) {
	if !meta.IsListType(obj) {
		row, err := p.row(obj)
		if err != nil {
			return nil, err
		}
		row.Object = runtime.RawExtension{Object: obj}
		return []metav1.TableRow{row}, nil
	}
	var items []runtime.Object
	if err := meta.EachListItem(obj, func(o runtime.Object) error { items = append(items, o); return nil }); err != nil {
		return nil, err
	}
	if p.list != nil {
		return p.list(items)
	}
	rows := make([]metav1.TableRow, 0, len(items))
	for _, item := range items {
		row, err := p.row(item)
		if err != nil {
			return nil, err
		}
		row.Object = runtime.RawExtension{Object: item}
		rows = append(rows, row)
	}
	return rows, nil
}

// status prints a metav1.Status, as a delete answered in a table is.
func status(s *set) {
	doc := metav1.Status{}.SwaggerDoc()
	addObject[metav1.Status](s, []metav1.TableColumnDefinition{
		{Name: "Status", Type: "string", Description: doc["status"]},
		{Name: "Reason", Type: "string", Description: doc["reason"]},
		{Name: "Message", Type: "string", Description: doc["Message"]},
	}, cells(func(st *metav1.Status) []interface{} {
		return []interface{}{st.Status, string(st.Reason), st.Message}
	}))
}

// Columns most kinds share.
var (
	objectMetaDoc = metav1.ObjectMeta{}.SwaggerDoc()

	nameColumn = metav1.TableColumnDefinition{Name: "Name", Type: "string", Format: "name", Description: objectMetaDoc["name"]}
	ageColumn  = metav1.TableColumnDefinition{Name: "Age", Type: "string", Description: objectMetaDoc["creationTimestamp"]}

	containersColumn = metav1.TableColumnDefinition{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."}
	imagesColumn     = metav1.TableColumnDefinition{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."}
)

// age is translateTimestampSince: how long ago t was, "<unknown>" if unset.
func age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

// microAge is age for a MicroTime.
func microAge(t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

// containerCells is layoutContainerCells: the containers' names and images,
// comma-separated.
func containerCells(containers []corev1.Container) (names, images string) {
	n := make([]string, len(containers))
	i := make([]string, len(containers))
	for k, c := range containers {
		n[k], i[k] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(i, ",")
}

// listWithMore is listWithMoreString: the first max of count entries and
// " + N more...", "<unset>" for none.
func listWithMore(list []string, more bool, count, max int) string {
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, count-max)
	}
	if ret == "" {
		ret = "<unset>"
	}
	return ret
}

// quantity prints q. Quantity.String caches its text in the quantity, so it
// runs on a copy: the printed object may be shared with other readers.
func quantity(q resource.Quantity) string { return q.String() }

// boolPtr is printBoolPtr: True, False or <unset>.
func boolPtr(b *bool) string {
	switch {
	case b == nil:
		return "<unset>"
	case *b:
		return "True"
	default:
		return "False"
	}
}

// deref is the value of p, or the zero value when p is nil, as the v1 to
// internal conversion of an optional field makes it.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
