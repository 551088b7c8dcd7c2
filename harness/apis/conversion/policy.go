package conversion

import (
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
)

// evictionV1beta1ToV1 converts the policy/v1beta1 Eviction that
// pods/eviction still accepts (client-go's Evict and EvictV1beta1 send it)
// to the policy/v1 one the registry works in; the two have the same fields.
func evictionV1beta1ToV1(in *policyv1beta1.Eviction, out *policyv1.Eviction) {
	out.ObjectMeta = in.ObjectMeta
	out.DeleteOptions = in.DeleteOptions
}

// evictionV1ToV1beta1 is the inverse of evictionV1beta1ToV1.
func evictionV1ToV1beta1(in *policyv1.Eviction, out *policyv1beta1.Eviction) {
	out.ObjectMeta = in.ObjectMeta
	out.DeleteOptions = in.DeleteOptions
}
