package operator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
	webappv2 "github.com/memkube/memkube/e2e/operator/api/v2"
	webhookv1 "github.com/memkube/memkube/e2e/operator/internal/webhook/v1"
)

var _ = Describe("Website webhooks", func() {
	Context("defaulting", func() {
		It("sets replicas and port left unset", func() {
			website := newWebsite("defaulted", "nginx:1.27")
			Expect(k8sClient.Create(ctx, website)).To(Succeed())
			// the response to the create carries the webhook's patch.
			Expect(website.Spec.Replicas).To(Equal(ptr.To(webhookv1.DefaultReplicas)))
			Expect(website.Spec.Port).To(Equal(webhookv1.DefaultPort))
		})

		It("keeps values that are set", func() {
			website := newWebsite("set", "nginx:1.27")
			website.Spec.Replicas, website.Spec.Port = ptr.To(int32(0)), 8080
			Expect(k8sClient.Create(ctx, website)).To(Succeed())
			Expect(komega.Object(website)()).To(HaveField("Spec", MatchFields(IgnoreExtras, Fields{
				"Replicas": Equal(ptr.To(int32(0))),
				"Port":     Equal(int32(8080)),
			})))
		})
	})

	Context("validating", func() {
		It("refuses an image that is not pinned to a tag", func() {
			for _, image := range []string{"nginx", "nginx:latest", "registry.example:5000/nginx"} {
				err := k8sClient.Create(ctx, newWebsite("unpinned", image))
				Expect(err).To(MatchError(ContainSubstring(`admission webhook "vwebsite-v1.kb.io" denied the request: ` +
					`Website.webapp.memkube.io "unpinned" is invalid: spec.image: Invalid value: "` + image + `": must be pinned to a tag other than latest`)))
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v is a 422 Invalid", err)
			}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "default", Name: "unpinned"}, &webappv1.Website{})).
				To(Satisfy(apierrors.IsNotFound))
		})

		It("refuses an update to latest and keeps the stored object", func() {
			website := newWebsite("pinned", "nginx:1.27")
			Expect(k8sClient.Create(ctx, website)).To(Succeed())
			// the controller writes the status meanwhile: retry conflicts.
			err := retry.RetryOnConflict(retry.DefaultRetry, komega.Update(website, func() { website.Spec.Image = "nginx:latest" }))
			Expect(err).To(MatchError(ContainSubstring(`denied the request`)))
			Expect(komega.Object(&webappv1.Website{ObjectMeta: metav1.ObjectMeta{Name: "pinned", Namespace: "default"}})()).
				To(HaveField("Spec.Image", "nginx:1.27"))
		})

		It("checks a v2 Website as v1 (the webhook's version), converted", func() {
			website := &webappv2.Website{
				ObjectMeta: metav1.ObjectMeta{Name: "unpinned-v2", Namespace: "default"},
				Spec:       webappv2.WebsiteSpec{Image: webappv2.ImageSpec{Repository: "nginx", Tag: "latest"}},
			}
			Expect(k8sClient.Create(ctx, website)).To(MatchError(ContainSubstring(
				`spec.image: Invalid value: "nginx:latest": must be pinned to a tag other than latest`)))
		})
	})
})
