package operator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
	webappv2 "github.com/memkube/memkube/e2e/operator/api/v2"
)

var _ = Describe("Website conversion webhook", func() {
	It("is installed by envtest on the CRD, which stores v1", func() {
		crd := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "websites.webapp.memkube.io"}}
		Expect(komega.Object(crd)()).To(SatisfyAll(
			HaveField("Spec.Conversion.Strategy", apiextensionsv1.WebhookConverter),
			HaveField("Spec.Conversion.Webhook.ClientConfig.URL", HaveValue(HaveSuffix("/convert"))),
			HaveField("Status.StoredVersions", ConsistOf("v1")),
		))
	})

	It("serves a Website written at v1 as v2", func() {
		Expect(k8sClient.Create(ctx, newWebsite("written-v1", "registry.example:5000/team/site:2.1"))).To(Succeed())

		v2 := &webappv2.Website{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "default", Name: "written-v1"}, v2)).To(Succeed())
		Expect(v2.Spec.Image).To(Equal(webappv2.ImageSpec{Repository: "registry.example:5000/team/site", Tag: "2.1"}))
		Expect(v2.Spec.Replicas).To(Equal(ptr.To(int32(1))), "defaulted at v1, converted to v2")

		list := &webappv2.WebsiteList{}
		Expect(k8sClient.List(ctx, list, client.InNamespace("default"))).To(Succeed())
		Expect(list.Items).To(ContainElement(HaveField("Spec.Image.Repository", "registry.example:5000/team/site")))
	})

	It("stores a Website written at v2 as v1, and the controller reconciles it", func() {
		website := &webappv2.Website{
			ObjectMeta: metav1.ObjectMeta{Name: "written-v2", Namespace: "default"},
			Spec:       webappv2.WebsiteSpec{Image: webappv2.ImageSpec{Repository: "nginx", Tag: "1.27"}, Port: 8080},
		}
		Expect(k8sClient.Create(ctx, website)).To(Succeed())
		Expect(website.Spec.Image).To(Equal(webappv2.ImageSpec{Repository: "nginx", Tag: "1.27"}))

		By("asking the webhook for the storage version, v1, on create")
		Expect(conversions.Reviews()).To(ContainElement(SatisfyAll(
			HaveField("DesiredAPIVersion", "webapp.memkube.io/v1"),
			HaveField("Objects", ContainElement("webapp.memkube.io/v2 default/written-v2")),
		)))

		v1 := &webappv1.Website{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(website), v1)).To(Succeed())
		Expect(v1.Spec.Image).To(Equal("nginx:1.27"))
		Expect(v1.Spec.Port).To(Equal(int32(8080)))

		deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "written-v2", Namespace: "default"}}
		Eventually(komega.Object(deployment)).Should(HaveField("Spec.Template.Spec.Containers",
			ConsistOf(HaveField("Image", "nginx:1.27"))))

		By("updating at v2 and reading the status the controller wrote at v1")
		Eventually(komega.Update(website, func() { website.Spec.Image.Tag = "1.28" })).Should(Succeed())
		Eventually(komega.Object(deployment)).Should(HaveField("Spec.Template.Spec.Containers",
			ConsistOf(HaveField("Image", "nginx:1.28"))))
		Eventually(komega.Object(website)).Should(SatisfyAll(
			HaveField("Spec.Image.Tag", "1.28"),
			HaveField("Status.DeploymentName", "written-v2"),
			HaveField("Status.ObservedGeneration", website.Generation),
		))
	})
})
