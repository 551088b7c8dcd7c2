package validation_test

import (
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestLease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		spec coordinationv1.LeaseSpec
		want []string
	}{
		{"valid", coordinationv1.LeaseSpec{HolderIdentity: ptr.To("a"), LeaseDurationSeconds: ptr.To[int32](15), LeaseTransitions: ptr.To[int32](0)}, nil},
		{"zero duration", coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr.To[int32](0)},
			[]string{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"}},
		{"negative transitions", coordinationv1.LeaseSpec{LeaseTransitions: ptr.To[int32](-1)},
			[]string{"spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"}},
		{"preferred holder without strategy", coordinationv1.LeaseSpec{PreferredHolder: ptr.To("b")},
			[]string{"spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined"}},
		{"unknown strategy", coordinationv1.LeaseSpec{Strategy: ptr.To(coordinationv1.CoordinatedLeaseStrategy("Newest"))},
			[]string{`spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			matchErrors(t, validation.Lease(&coordinationv1.Lease{Spec: tc.spec}), tc.want...)
		})
	}
}
