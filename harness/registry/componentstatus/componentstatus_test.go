package componentstatus

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestGetAndList(t *testing.T) {
	r := New(map[string]Check{
		"etcd-0":             func(context.Context) (bool, string, error) { return true, "ok", nil },
		"scheduler":          func(context.Context) (bool, string, error) { return false, "connection refused", nil },
		"controller-manager": func(context.Context) (bool, string, error) { return false, "", errors.New("boom") },
	})
	obj, err := r.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	list := obj.(*corev1.ComponentStatusList)
	want := []struct{ name, status, table string }{
		{"controller-manager", "Unknown", "Unhealthy"},
		{"etcd-0", "True", "Healthy"},
		{"scheduler", "False", "Unhealthy"},
	}
	if len(list.Items) != len(want) {
		t.Fatalf("listed %d, want %d", len(list.Items), len(want))
	}
	table, err := r.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		got := list.Items[i]
		if got.Name != w.name || string(got.Conditions[0].Status) != w.status || table.Rows[i].Cells[1] != w.table {
			t.Errorf("item %d = %s %s %v, want %s %s %s", i, got.Name, got.Conditions[0].Status, table.Rows[i].Cells[1], w.name, w.status, w.table)
		}
	}
	if list.Items[0].Conditions[0].Error != "boom" {
		t.Errorf("error = %q, want boom", list.Items[0].Conditions[0].Error)
	}
	if _, err := r.Get(context.Background(), "kubelet", &metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("unknown component: %v, want 404", err)
	}
}

func TestHTTPCheck(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	if healthy, msg, err := HTTPCheck(p)(context.Background()); !healthy || msg != "ok" || err != nil {
		t.Errorf("running component: %v %q %v, want healthy ok", healthy, msg, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	healthy, msg, err := HTTPCheck(closed)(context.Background())
	if healthy || err != nil || !strings.Contains(msg, "connect: connection refused") || !strings.HasPrefix(msg, `Get "https://127.0.0.1:`) {
		t.Errorf("stopped component: %v %q %v, want unhealthy with the dial error as message", healthy, msg, err)
	}
}
