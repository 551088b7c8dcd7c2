package core

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestStrategyValidate(t *testing.T) {
	tests := []struct {
		name      string
		strategy  strategy
		obj       runtime.Object
		wantField string // "" for valid
	}{
		{"namespace", strategy{}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, ""},
		{"namespace with a dot", strategy{}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team.a"}}, "metadata.name"},
		{"namespace given a namespace", strategy{}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "b"}}, "metadata.namespace"},
		{"configmap", strategy{namespaced: true}, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a.b", Namespace: "ns"}}, ""},
		{"configmap without namespace", strategy{namespaced: true}, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, "metadata.namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.strategy.Validate(context.Background(), tt.obj)
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
	tc := namespaceTable()
	got, err := tc.ConvertToTable(context.Background(), list, nil)
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
