package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/memkube/memkube/harness/faults"
)

// TestServeFaultsWithKubectl drives the fault injector of `memkube serve`
// with kubectl's raw commands and the server's kubeconfig, as
// docs/faults.md shows: a conflict on ConfigMap updates until deleted, a
// full etcd until reset, a compaction; errors as kubectl prints
// kube-apiserver's; and a user without RBAC for /memkube/* is forbidden.
func TestServeFaultsWithKubectl(t *testing.T) {
	t.Parallel()
	run, stop := serveKubectl(t)
	kc := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	kcFails := func(want string, args ...string) {
		t.Helper()
		out, err := run(args...)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("kubectl %s: %v\n%s\nwant it to fail with %s", strings.Join(args, " "), err, out, want)
		}
	}
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cm := file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\ndata:\n  a: b\n")
	kc("create", "-f", cm)

	// kubectl replace PUTs: an update (apply PATCHes, a patch).
	rule := file("rule.json", `{"verbs": ["update"], "resources": ["configmaps"], "namespaces": ["default"], "action": {"type": "Conflict"}}`)
	var added faults.Record
	decodeJSON(t, kc("create", "--raw", "/memkube/v1/faults", "-f", rule), &added)
	if added.Spec.Action == nil || added.Spec.Action.Type != "Conflict" || added.Fired != 0 {
		t.Fatalf("added %+v, want the Conflict fault, not fired", added)
	}
	id := "/memkube/v1/faults/" + strconv.FormatInt(added.ID, 10)
	kcFails(`Error from server (Conflict): error when replacing "`+cm+`": Operation cannot be fulfilled on configmaps "cm": the object has been modified`,
		"replace", "-f", cm)
	var list faults.RecordList
	decodeJSON(t, kc("get", "--raw", "/memkube/v1/faults"), &list)
	if len(list.Faults) != 1 || list.Faults[0].ID != added.ID || list.Faults[0].Fired != 1 {
		t.Fatalf("faults %+v, want fault %d, fired once", list.Faults, added.ID)
	}
	var got faults.Record
	decodeJSON(t, kc("get", "--raw", id), &got)
	if got.Fired != 1 || got.Done {
		t.Fatalf("fault %+v, want fired once, not done", got)
	}
	decodeJSON(t, kc("delete", "--raw", id), &got)
	if got.Fired != 1 || !got.Done {
		t.Fatalf("deleted fault %+v, want fired once, done", got)
	}
	kc("replace", "-f", cm)
	kcFails(`Error from server (NotFound): faults "`+strconv.FormatInt(added.ID, 10)+`" not found`, "get", "--raw", id)

	// etcd is full until the faults are reset.
	full := file("full.json", `{"storage": {"ops": ["writes"], "error": "etcdserver: mvcc: database space exceeded"}}`)
	kc("create", "--raw", "/memkube/v1/faults", "-f", full)
	kcFails("etcdserver: mvcc: database space exceeded", "create", "configmap", "cm2", "-n", "default")
	decodeJSON(t, kc("delete", "--raw", "/memkube/v1/faults"), &list)
	if len(list.Faults) != 1 || list.Faults[0].Spec.Storage == nil || list.Faults[0].Fired < 1 || !list.Faults[0].Done {
		t.Fatalf("reset removed %+v, want the storage fault, fired, done", list.Faults)
	}
	kc("create", "configmap", "cm2", "-n", "default")

	var compacted faults.Compaction
	decodeJSON(t, kc("create", "--raw", "/memkube/v1/compact", "-f", os.DevNull), &compacted)
	if compacted.Revision < 1 {
		t.Fatalf("compacted at %d, want a revision", compacted.Revision)
	}

	kcFails(`Error from server (BadRequest): invalid fault spec: unknown action type "Confict"`,
		"create", "--raw", "/memkube/v1/faults", "-f", file("typo.json", `{"action": {"type": "Confict"}}`))
	// The admin may impersonate; alice is authorized as herself.
	kcFails(`Error from server (Forbidden): forbidden: User "alice" cannot get path "/memkube/v1/faults"`,
		"--as", "alice", "get", "--raw", "/memkube/v1/faults")
	kcFails(`Error from server (Forbidden): forbidden: User "alice" cannot post path "/memkube/v1/faults"`,
		"--as", "alice", "create", "--raw", "/memkube/v1/faults", "-f", rule)
	decodeJSON(t, kc("get", "--raw", "/memkube/v1/faults"), &list)
	if len(list.Faults) != 0 {
		t.Fatalf("faults %+v after alice's create, want none", list.Faults)
	}
	stop()
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
}
