package harness_test

import (
	"context"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// BenchmarkCRDRecreate creates a CRD, waits until it is established,
// deletes it and waits until it is gone, as suites that install and remove
// their CRDs per test do. Each step is a few requests of the apiextensions
// controllers through the loopback client, so the figure shows whether that
// client is throttled (it was at 5 QPS: ~400 ms per iteration).
func BenchmarkCRDRecreate(b *testing.B) {
	s := harnesstest.Start(b, harness.Options{})
	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	ctx := b.Context()
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "garages.crew.example.com"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "crew.example.com", Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: "Garage", Plural: "garages"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object"}}}},
		},
	}
	poll := func(cond func(ctx context.Context) (bool, error)) {
		if err := wait.PollUntilContextTimeout(ctx, time.Millisecond, 30*time.Second, true, cond); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := crds.Create(ctx, crd, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		poll(func(ctx context.Context) (bool, error) {
			got, err := crds.Get(ctx, crd.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, c := range got.Status.Conditions {
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err := crds.Delete(ctx, crd.Name, metav1.DeleteOptions{}); err != nil {
			b.Fatal(err)
		}
		poll(func(ctx context.Context) (bool, error) {
			_, err := crds.Get(ctx, crd.Name, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	}
}
