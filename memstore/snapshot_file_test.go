package memstore

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestSnapshotSaveLoad(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	mustPut(t, s, "a", "1")
	mustPut(t, s, "b", "\x00binary\xff")
	mustPut(t, s, "gone", "1")
	mustPut(t, s, "a", "2")
	if _, _, err := s.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	sn, _ := s.Snapshot()
	mustPut(t, s, "later", "1") // after the snapshot: not saved
	var buf bytes.Buffer
	if err := sn.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	other := newTestStore(t, Config{})
	mustPut(t, other, "other", "1")
	if _, err := other.Restore(loaded); err != nil {
		t.Fatal(err)
	}
	if got, want := rangeAllKeys(t, other), []string{"a=2", "b=\x00binary\xff"}; !slices.Equal(got, want) {
		t.Fatalf("after loading and restoring: %q, want %q", got, want)
	}
}

func TestLoadSnapshotErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "header: EOF"},
		{"not a snapshot", `{"format":"etcd"}`, `format "etcd", want "memstore-snapshot/v1"`},
		{"truncated", `{"format":"memstore-snapshot/v1","keys":2}` + "\n" + `{"key":"a","value":"MQ=="}`, "1 keys, the header says 2"},
		{"repeated key", `{"format":"memstore-snapshot/v1","keys":2}` + "\n" + `{"key":"a","value":"MQ=="}` + "\n" + `{"key":"a","value":"MQ=="}`, `repeated key "a"`},
		{"bad value", `{"format":"memstore-snapshot/v1","keys":1}` + "\n" + `{"key":"a","value":"not base64!"}`, "key 1: illegal base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSnapshot(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadSnapshot: %v, want an error with %q", err, tc.want)
			}
		})
	}
}
