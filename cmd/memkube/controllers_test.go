package main

import (
	"testing"

	"github.com/memkube/memkube/harness"
)

func TestParseControllers(t *testing.T) {
	t.Parallel()
	none := harness.Controllers{NoNamespace: true, NoServiceAccount: true, NoGarbageCollector: true, NoClusterRoleAggregation: true, NoResourceQuota: true, NoStorageProtection: true, NoDisruption: true, NoValidatingAdmissionPolicyStatus: true}
	for _, tc := range []struct {
		value string
		want  harness.Controllers
	}{
		{"*", harness.Controllers{}},
		{"", none},
		{"*,-serviceaccount", harness.Controllers{NoServiceAccount: true}},
		{"namespace,garbagecollector", harness.Controllers{NoServiceAccount: true, NoClusterRoleAggregation: true, NoResourceQuota: true, NoStorageProtection: true, NoDisruption: true, NoValidatingAdmissionPolicyStatus: true}},
		{"*,-validatingadmissionpolicy-status-controller", harness.Controllers{NoValidatingAdmissionPolicyStatus: true}},
	} {
		got, err := parseControllers(tc.value)
		if err != nil || got != tc.want {
			t.Errorf("--controllers=%q: got %+v, %v; want %+v", tc.value, got, err, tc.want)
		}
	}
	if _, err := parseControllers("*,-kubelet"); err == nil || err.Error() != `--controllers: unknown controller "kubelet" (known: clusterrole-aggregation, disruption, garbagecollector, namespace, resourcequota, serviceaccount, storage-protection, validatingadmissionpolicy-status-controller)` {
		t.Errorf("unknown controller: got %v", err)
	}
}
