package gc

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func dependent(namespace, name string, owners ...metav1.OwnerReference) *node {
	n := newNode(objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: name, UID: types.UID("dep-" + name), Namespace: namespace})
	n.owners = owners
	return n
}

func TestPartitionDependents(t *testing.T) {
	owner := objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "o", Namespace: "a"}
	good := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "o"}
	badName := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "other", UID: "o"}
	same := dependent("a", "same", good)
	otherNS := dependent("b", "other-ns", good)
	renamed := dependent("a", "renamed", badName)
	both := dependent("a", "both", good, badName)
	matching, mismatched := partitionDependents([]*node{same, otherNS, renamed, both}, owner)
	if want := []*node{same, both}; !slices.Equal(matching, want) {
		t.Errorf("matching %v, want same and both", matching)
	}
	if want := []*node{otherNS, renamed, both}; !slices.Equal(mismatched, want) {
		t.Errorf("mismatched %v, want other-ns, renamed and both", mismatched)
	}
}

func TestAlternateOwnerIdentity(t *testing.T) {
	ref := func(kind, name string) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: "v1", Kind: kind, Name: name, UID: "o"}
	}
	deps := []*node{
		dependent("ns", "d1", ref("ConfigMap", "a")),
		dependent("ns", "d2", ref("ConfigMap", "b")),
		dependent("ns", "d3", ref("Secret", "a")),
	}
	tests := []struct {
		name   string
		absent objectReference
		want   *objectReference
	}{
		{"next after the absent identity", objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "a", UID: "o", Namespace: "ns"},
			&objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "b", UID: "o", Namespace: "ns"}},
		{"wraps around to the first", objectReference{APIVersion: "v1", Kind: "Secret", Name: "a", UID: "o", Namespace: "ns"},
			&objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "a", UID: "o", Namespace: "ns"}},
		{"cluster-scoped kind drops the namespace", objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "0", UID: "o"},
			&objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "a", UID: "o"}},
		{"no other identity", objectReference{APIVersion: "v1", Kind: "ConfigMap", Name: "a", UID: "o", Namespace: "ns"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deps
			if tt.want == nil {
				d = deps[:1]
			}
			got := alternateOwnerIdentity(d, tt.absent)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReferencesDiffs(t *testing.T) {
	a := metav1.OwnerReference{UID: "a", Name: "a"}
	b := metav1.OwnerReference{UID: "b", Name: "b"}
	bBlocking := metav1.OwnerReference{UID: "b", Name: "b", BlockOwnerDeletion: ptr.To(true)}
	c := metav1.OwnerReference{UID: "c", Name: "c"}
	added, removed, changed := referencesDiffs([]metav1.OwnerReference{a, bBlocking}, []metav1.OwnerReference{b, c})
	if len(added) != 1 || added[0].UID != "c" {
		t.Errorf("added %v, want c", added)
	}
	if len(removed) != 1 || removed[0].UID != "a" {
		t.Errorf("removed %v, want a", removed)
	}
	if len(changed) != 1 || !blocks(changed[0].oldRef) || blocks(changed[0].newRef) {
		t.Errorf("changed %v, want b unblocked", changed)
	}
}
