package printers

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

// The Test* functions of the group files are upstream's printers_test.go
// cases (k8s.io/kubernetes v1.37.1 pkg/printers/internalversion) over the v1
// types. Upstream calls its print functions with or without -o wide; the
// server always prints wide, adding the wide cells after the others (events
// aside), so an expected row shorter than the printed one is compared with
// the printed row's start.

// generateOptions stands for upstream's printers.GenerateOptions in the
// ported cases: it records which view a case's expected row is.
type generateOptions struct{ Wide bool }

// printRows prints obj as the server does, the rows without their objects.
func printRows(obj runtime.Object) ([]metav1.TableRow, error) {
	table, err := convertor{all()}.ConvertToTable(context.Background(), obj, nil)
	if err != nil {
		return nil, err
	}
	for i := range table.Rows {
		table.Rows[i].Object = runtime.RawExtension{}
	}
	return table.Rows, nil
}

// rowsMatch is whether got has want's rows, each starting with want's cells.
func rowsMatch(want, got []metav1.TableRow) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		w, g := want[i], got[i]
		if len(g.Cells) > len(w.Cells) {
			g.Cells = g.Cells[:len(w.Cells)]
		}
		if !reflect.DeepEqual(w.Cells, g.Cells) || !reflect.DeepEqual(w.Conditions, g.Conditions) {
			return false
		}
	}
	return true
}

func TestForWhichResources(t *testing.T) {
	t.Parallel()
	for _, gr := range []schema.GroupResource{
		corev1.Resource("limitranges"),
		{Group: "rbac.authorization.k8s.io", Resource: "roles"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"},
		storagev1.Resource("csistoragecapacities"),
		{Group: "example.com", Resource: "widgets"},
	} {
		if c := For(gr); c != nil {
			t.Errorf("For(%s) = %v, want nil: upstream's store keeps the default table", gr, c)
		}
	}
	for _, gr := range []schema.GroupResource{
		corev1.Resource("pods"),
		{Group: "events.k8s.io", Resource: "events"},
		{Group: "autoscaling", Resource: "horizontalpodautoscalers"},
		{Group: "storagemigration.k8s.io", Resource: "storageversionmigrations"},
	} {
		if For(gr) == nil {
			t.Errorf("For(%s) = nil, want a convertor", gr)
		}
	}
}

func TestConvertToTable(t *testing.T) {
	t.Parallel()
	conv := For(corev1.Resource("configmaps"))
	ctx := context.Background()
	list := &corev1.ConfigMapList{
		ListMeta: metav1.ListMeta{ResourceVersion: "12", Continue: "next", RemainingItemCount: ptr.To[int64](3)},
		Items: []corev1.ConfigMap{
			{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Data: map[string]string{"k": "v"}, BinaryData: map[string][]byte{"b": nil}},
			{ObjectMeta: metav1.ObjectMeta{Name: "b"}},
		},
	}

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		got, err := conv.ConvertToTable(ctx, list, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.ResourceVersion != "12" || got.Continue != "next" || got.RemainingItemCount == nil || *got.RemainingItemCount != 3 {
			t.Errorf("list meta %+v, want resourceVersion 12, continue next, remainingItemCount 3", got.ListMeta)
		}
		var names []string
		for _, c := range got.ColumnDefinitions {
			names = append(names, c.Name)
		}
		if want := []string{"Name", "Data", "Age"}; !slices.Equal(names, want) {
			t.Errorf("columns %v, want %v", names, want)
		}
		if len(got.Rows) != 2 || got.Rows[0].Cells[1] != int64(2) || got.Rows[0].Object.Object != &list.Items[0] || got.Rows[1].Object.Object != &list.Items[1] {
			t.Errorf("rows %+v, want a (2 data) and b, each carrying its item", got.Rows)
		}
	})
	t.Run("object", func(t *testing.T) {
		t.Parallel()
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "5"}}
		got, err := conv.ConvertToTable(ctx, cm, &metav1.TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.ResourceVersion != "5" || len(got.Rows) != 1 || got.Rows[0].Object.Object != cm {
			t.Errorf("got %+v, want one row of the object at resourceVersion 5", got)
		}
	})
	t.Run("empty list has empty rows", func(t *testing.T) {
		t.Parallel()
		got, err := conv.ConvertToTable(ctx, &corev1.ConfigMapList{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows == nil || len(got.Rows) != 0 {
			t.Errorf("rows %#v, want [] (upstream's JSON says \"rows\":[])", got.Rows)
		}
	})
	t.Run("no headers", func(t *testing.T) {
		t.Parallel()
		got, err := conv.ConvertToTable(ctx, list, &metav1.TableOptions{NoHeaders: true})
		if err != nil {
			t.Fatal(err)
		}
		if got.ColumnDefinitions != nil || len(got.Rows) != 2 {
			t.Errorf("got columns %v and %d rows, want no columns and 2 rows", got.ColumnDefinitions, len(got.Rows))
		}
	})
	t.Run("bad options", func(t *testing.T) {
		t.Parallel()
		_, err := conv.ConvertToTable(ctx, list, &metav1.ListOptions{})
		if want := "unrecognized type *v1.ListOptions for table options, can't display tabular output"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
	t.Run("unknown type", func(t *testing.T) {
		t.Parallel()
		_, err := conv.ConvertToTable(ctx, &corev1.LimitRange{}, nil)
		if want := "no table handler registered for this type *v1.LimitRange"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
}

// A store's convertor prints the other types upstream's generator knows:
// the scale subresource hands it a Scale, a delete may hand it a Status.
func TestConvertToTableScaleAndStatus(t *testing.T) {
	t.Parallel()
	conv := For(appsv1.Resource("deployments"))
	tests := []struct {
		name    string
		obj     runtime.Object
		columns []string
		cells   []interface{}
	}{
		{"scale", &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: autoscalingv1.ScaleSpec{Replicas: 3}, Status: autoscalingv1.ScaleStatus{Replicas: 2}},
			[]string{"Name", "Desired", "Available", "Age"}, []interface{}{"web", int64(3), int64(2), "<unknown>"}},
		{"status", &metav1.Status{Status: metav1.StatusSuccess, Reason: "Gone", Message: "deleted"},
			[]string{"Status", "Reason", "Message"}, []interface{}{"Success", "Gone", "deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := conv.ConvertToTable(context.Background(), tt.obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range got.ColumnDefinitions {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tt.columns) || len(got.Rows) != 1 || !reflect.DeepEqual(got.Rows[0].Cells, tt.cells) {
				t.Errorf("got columns %v rows %v, want %v and %v", names, got.Rows, tt.columns, tt.cells)
			}
		})
	}
}

// Every printer's row has a cell per column, except IPAddress's, whose AGE
// cell has no column upstream either.
func TestCellsPerColumn(t *testing.T) {
	t.Parallel()
	s := all()
	for typ, p := range s.byType {
		if strings.HasSuffix(typ.String(), "List") {
			continue
		}
		obj := reflect.New(typ.Elem()).Interface().(runtime.Object)
		row, err := p.row(obj)
		if err != nil {
			t.Errorf("%v: %v", typ, err)
			continue
		}
		want := len(p.columns)
		if typ.String() == "*v1.IPAddress" {
			want++
		}
		if len(row.Cells) != want {
			t.Errorf("%v: %d cells for %d columns", typ, len(row.Cells), len(p.columns))
		}
	}
}

// Upstream's columns as `kubectl get -o wide` shows them: names, and which
// are wide only (priority 1, starred).
func TestColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		obj     runtime.Object
		columns string
	}{
		{&corev1.Pod{}, "Name Ready Status Restarts Age IP* Node* Nominated Node* Readiness Gates*"},
		{&corev1.Service{}, "Name Type Cluster-IP External-IP Port(s) Age Selector*"},
		{&corev1.Node{}, "Name Status Roles Age Version Internal-IP* External-IP* OS-Image* Kernel-Version* Container-Runtime*"},
		{&corev1.Event{}, "Last Seen Type Reason Object Subobject* Source* Message First Seen* Count* Name*"},
		{&corev1.PersistentVolume{}, "Name Capacity Access Modes Reclaim Policy Status Claim StorageClass VolumeAttributesClass Reason Age VolumeMode*"},
		{&corev1.PersistentVolumeClaim{}, "Name Status Volume Capacity Access Modes StorageClass VolumeAttributesClass Age VolumeMode*"},
		{&appsv1.Deployment{}, "Name Ready Up-to-date Available Age Containers* Images* Selector*"},
		{&batchv1.Job{}, "Name Status Completions Duration Age Containers* Images* Selector*"},
		{&batchv1.CronJob{}, "Name Schedule Timezone Suspend Active Last Schedule Age Containers* Images* Selector*"},
		{&autoscalingv2.HorizontalPodAutoscaler{}, "Name Reference Targets MinPods MaxPods Replicas Age"},
		{&networkingv1.Ingress{}, "Name Class Hosts Address Ports Age"},
		{&flowcontrolv1.FlowSchema{}, "Name PriorityLevel MatchingPrecedence DistinguisherMethod Age MissingPL"},
	}
	for _, tt := range tests {
		t.Run(reflect.TypeOf(tt.obj).Elem().Name(), func(t *testing.T) {
			t.Parallel()
			table, err := convertor{all()}.ConvertToTable(context.Background(), tt.obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range table.ColumnDefinitions {
				if c.Priority == 1 {
					c.Name += "*"
				}
				names = append(names, c.Name)
			}
			if got := strings.Join(names, " "); got != tt.columns {
				t.Errorf("got columns %q, want %q", got, tt.columns)
			}
		})
	}
}

// diff shows a mismatch of rows.
func diff(want, got []metav1.TableRow) string {
	return fmt.Sprintf("\ngot  %v\nwant %v", got, want)
}

// What converting v1 to upstream's internal types does to printed fields.
func TestV1Semantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		obj  runtime.Object
		want []interface{}
	}{
		{"secret stringData counts as data", &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"a": nil, "b": nil}, StringData: map[string]string{"b": "", "c": ""},
		}, []interface{}{"s", "Opaque", int64(3), "<unknown>"}},
		{"deployment without replicas wants 0", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "d"}},
			[]interface{}{"d", "0/0", int64(0), int64(0), "<unknown>", "", "", ""}},
		{"statefulset without replicas wants 0", &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Status: appsv1.StatefulSetStatus{ReadyReplicas: 1}},
			[]interface{}{"s", "1/0", "<unknown>", "", ""}},
		{"priority level without shares has 0, an int32", &flowcontrolv1.PriorityLevelConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: flowcontrolv1.PriorityLevelConfigurationSpec{Type: flowcontrolv1.PriorityLevelEnablementLimited, Limited: &flowcontrolv1.LimitedPriorityLevelConfiguration{
				LimitResponse: flowcontrolv1.LimitResponse{Queuing: &flowcontrolv1.QueuingConfiguration{Queues: 64, HandSize: 6, QueueLengthLimit: 50}},
			}},
		}, []interface{}{"p", "Limited", int32(0), int32(64), int32(6), int32(50), "<unknown>"}},
		{"exempt priority level", &flowcontrolv1.PriorityLevelConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: "exempt"}, Spec: flowcontrolv1.PriorityLevelConfigurationSpec{Type: flowcontrolv1.PriorityLevelEnablementExempt},
		}, []interface{}{"exempt", "Exempt", "<none>", "<none>", "<none>", "<none>", "<unknown>"}},
		{"pod IP is the first of podIPs", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Status: corev1.PodStatus{PodIP: "10.0.0.1"}},
			[]interface{}{"p", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows, err := printRows(tt.obj)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || !reflect.DeepEqual(rows[0].Cells, tt.want) {
				t.Errorf("got %#v, want %#v", rows, tt.want)
			}
		})
	}
}

// A list of storage classes marks the newest default-annotated one, ties to
// the first name; a class printed alone is never marked.
func TestStorageClassDefault(t *testing.T) {
	t.Parallel()
	older := metav1.NewTime(time.Now().Add(-time.Hour))
	newer := metav1.NewTime(time.Now())
	def := map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
	beta := map[string]string{"storageclass.beta.kubernetes.io/is-default-class": "true"}
	list := &storagev1.StorageClassList{Items: []storagev1.StorageClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "old", CreationTimestamp: older, Annotations: def}},
		{ObjectMeta: metav1.ObjectMeta{Name: "zeta", CreationTimestamp: newer, Annotations: beta}},
		{ObjectMeta: metav1.ObjectMeta{Name: "beta", CreationTimestamp: newer, Annotations: def}},
		{ObjectMeta: metav1.ObjectMeta{Name: "plain", CreationTimestamp: newer}},
	}}
	rows, err := printRows(list)
	if err != nil {
		t.Fatal(err)
	}
	var names []interface{}
	for _, r := range rows {
		names = append(names, r.Cells[0])
	}
	if want := []interface{}{"old", "zeta", "beta (default)", "plain"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got names %v, want %v", names, want)
	}
	rows, err = printRows(&list.Items[2])
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Cells[0] != "beta" {
		t.Errorf("alone, got name %v, want beta", rows[0].Cells[0])
	}
}

// Flow schemas list in matching order, each row with its own object.
func TestFlowSchemaOrder(t *testing.T) {
	t.Parallel()
	fs := func(name string, precedence int32) flowcontrolv1.FlowSchema {
		return flowcontrolv1.FlowSchema{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: flowcontrolv1.FlowSchemaSpec{MatchingPrecedence: precedence}}
	}
	list := &flowcontrolv1.FlowSchemaList{Items: []flowcontrolv1.FlowSchema{fs("global-default", 9900), fs("b", 500), fs("a", 500), fs("exempt", 1)}}
	table, err := convertor{all()}.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range table.Rows {
		got = append(got, r.Cells[0].(string))
		if r.Object.Object.(*flowcontrolv1.FlowSchema).Name != r.Cells[0] {
			t.Errorf("row %v carries %v", r.Cells[0], r.Object.Object)
		}
	}
	if want := []string{"exempt", "a", "b", "global-default"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if list.Items[0].Name != "global-default" {
		t.Errorf("the list was reordered: %v first", list.Items[0].Name)
	}
}
