package builtin

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/registry"
)

func kindOf(t *testing.T, gr schema.GroupResource) *registry.Kind {
	t.Helper()
	for _, k := range Kinds() {
		if k.Resource == gr {
			return k
		}
	}
	t.Fatalf("no kind %s", gr)
	return nil
}

func TestNameAndScopeValidation(t *testing.T) {
	tests := []struct {
		name      string
		resource  schema.GroupResource
		obj       runtime.Object
		wantField string // "" for valid
	}{
		{"namespace", corev1.Resource("namespaces"), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, ""},
		{"namespace with a dot", corev1.Resource("namespaces"), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team.a"}}, "metadata.name"},
		{"namespace given a namespace", corev1.Resource("namespaces"), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "b"}}, "metadata.namespace"},
		{"configmap", corev1.Resource("configmaps"), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a.b", Namespace: "ns"}}, ""},
		{"configmap without namespace", corev1.Resource("configmaps"), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, "metadata.namespace"},
		{"service with a dot", corev1.Resource("services"), &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "a.b", Namespace: "ns"}}, "metadata.name"},
		{"clusterrole with a colon", schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"}, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:basic-user"}}, ""},
		{"clusterrole with a slash", schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"}, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "a/b"}}, "metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := registry.NewStrategy(nil, kindOf(t, tt.resource)).Validate(context.Background(), tt.obj)
			switch {
			case tt.wantField == "" && len(errs) > 0:
				t.Fatalf("got %v, want valid", errs)
			case tt.wantField != "" && (len(errs) == 0 || errs[0].Field != tt.wantField):
				t.Fatalf("got %v, want an error on %s", errs, tt.wantField)
			}
		})
	}
}

func TestNamespaceTable(t *testing.T) {
	created := metav1.NewTime(time.Now().Add(-90 * time.Second))
	list := &corev1.NamespaceList{
		ListMeta: metav1.ListMeta{ResourceVersion: "7"},
		Items: []corev1.Namespace{{
			ObjectMeta: metav1.ObjectMeta{Name: "default", CreationTimestamp: created},
			Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
		}},
	}
	got, err := kindOf(t, corev1.Resource("namespaces")).Table.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ColumnDefinitions) != 3 || got.ColumnDefinitions[1].Name != "Status" {
		t.Fatalf("columns %v, want NAME STATUS AGE", got.ColumnDefinitions)
	}
	if len(got.Rows) != 1 || got.Rows[0].Cells[0] != "default" || got.Rows[0].Cells[1] != "Active" || got.Rows[0].Cells[2] != "90s" {
		t.Fatalf("rows %v, want [default Active 90s]", got.Rows)
	}
	if got.ResourceVersion != "7" {
		t.Fatalf("table resourceVersion %q, want the list's 7", got.ResourceVersion)
	}
}
