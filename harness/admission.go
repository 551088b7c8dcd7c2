package harness

import (
	"context"
	"time"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
)

// crdCreateDelay is how long apiextensions-apiserver makes the first
// creates of a custom resource wait after its CRD is established: in a
// cluster of several apiservers, so that every one has seen the CRD.
const crdCreateDelay = 2 * time.Second

// establishedInThePast dates the Established condition of a CRD
// crdCreateDelay into the past when it turns true. memkube is a single
// apiserver, where the wait protects nothing, and it would cost every test
// that creates a CRD and then its objects two seconds. The condition's time
// is the only visible difference.
type establishedInThePast struct{}

var _ admission.MutationInterface = establishedInThePast{}

func (establishedInThePast) Handles(op admission.Operation) bool { return op == admission.Update }

func (establishedInThePast) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != apiextensions.Resource("customresourcedefinitions") || a.GetSubresource() != "status" {
		return nil
	}
	crd, ok := a.GetObject().(*apiextensions.CustomResourceDefinition)
	old, okOld := a.GetOldObject().(*apiextensions.CustomResourceDefinition)
	if !ok || !okOld || isEstablished(old) {
		return nil
	}
	for i, c := range crd.Status.Conditions {
		if c.Type == apiextensions.Established && c.Status == apiextensions.ConditionTrue {
			crd.Status.Conditions[i].LastTransitionTime = metav1.NewTime(c.LastTransitionTime.Add(-crdCreateDelay))
		}
	}
	return nil
}

func isEstablished(crd *apiextensions.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensions.Established {
			return c.Status == apiextensions.ConditionTrue
		}
	}
	return false
}
