package operator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
	"github.com/memkube/memkube/e2e/operator/internal/controller"
)

// newWebsite is a v1 Website in namespace "default".
func newWebsite(name, image string) *webappv1.Website {
	return &webappv1.Website{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       webappv1.WebsiteSpec{Image: image},
	}
}

// controlledBy matches an object whose controller reference is website.
func controlledBy(website *webappv1.Website) OmegaMatcher {
	return HaveField("ObjectMeta.OwnerReferences", ConsistOf(MatchFields(IgnoreExtras, Fields{
		"APIVersion":         Equal("webapp.memkube.io/v1"),
		"Kind":               Equal("Website"),
		"Name":               Equal(website.Name),
		"UID":                Equal(website.UID),
		"Controller":         Equal(ptr.To(true)),
		"BlockOwnerDeletion": Equal(ptr.To(true)),
	})))
}

var _ = Describe("Website controller", func() {
	Context("when a Website is created", func() {
		It("creates a Deployment and a Service owned by the Website and reports them in its status", func() {
			website := newWebsite("reconcile", "nginx:1.27")
			Expect(k8sClient.Create(ctx, website)).To(Succeed())

			deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "reconcile", Namespace: "default"}}
			Eventually(komega.Object(deployment)).Should(SatisfyAll(
				controlledBy(website),
				HaveField("Spec.Replicas", Equal(ptr.To(int32(1)))),
				HaveField("Spec.Template.Spec.Containers", ConsistOf(MatchFields(IgnoreExtras, Fields{
					"Image": Equal("nginx:1.27"),
					"Ports": ConsistOf(HaveField("ContainerPort", Equal(int32(80)))),
				}))),
			))
			service := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "reconcile", Namespace: "default"}}
			Eventually(komega.Object(service)).Should(SatisfyAll(
				controlledBy(website),
				HaveField("Spec.Ports", ConsistOf(HaveField("Port", Equal(int32(80))))),
				HaveField("Spec.Selector", HaveKeyWithValue("app.kubernetes.io/instance", "reconcile")),
				// allocated by the API server, as kube-apiserver does
				HaveField("Spec.ClusterIP", Not(BeEmpty())),
			))

			Eventually(komega.Object(website)).Should(HaveField("Status", MatchFields(IgnoreExtras, Fields{
				"ObservedGeneration": Equal(website.Generation),
				"DeploymentName":     Equal("reconcile"),
				"ServiceName":        Equal("reconcile"),
				"Conditions": ConsistOf(MatchFields(IgnoreExtras, Fields{
					"Type":   Equal(controller.ConditionAvailable),
					"Status": Equal(metav1.ConditionFalse),
					"Reason": Equal("ReplicasNotReady"),
				})),
			})))
		})
	})

	Context("when the Deployment becomes ready", func() {
		It("marks the Website Available", func() {
			website := newWebsite("ready", "nginx:1.27")
			website.Spec.Replicas = ptr.To(int32(2))
			Expect(k8sClient.Create(ctx, website)).To(Succeed())

			// memkube, like envtest, runs no deployment controller: the test
			// writes the status kube-controller-manager would.
			deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "ready", Namespace: "default"}}
			Eventually(komega.Get(deployment)).Should(Succeed())
			Eventually(komega.UpdateStatus(deployment, func() {
				deployment.Status.Replicas, deployment.Status.ReadyReplicas = 2, 2
			})).Should(Succeed())

			Eventually(komega.Object(website)).Should(HaveField("Status", MatchFields(IgnoreExtras, Fields{
				"ReadyReplicas": Equal(int32(2)),
				"Conditions": ConsistOf(MatchFields(IgnoreExtras, Fields{
					"Type":    Equal(controller.ConditionAvailable),
					"Status":  Equal(metav1.ConditionTrue),
					"Message": Equal("2 of 2 replicas ready"),
				})),
			})))
		})
	})

	Context("when the Website or its objects change", func() {
		It("follows the spec and puts back what others change", func() {
			website := newWebsite("drift", "nginx:1.27")
			Expect(k8sClient.Create(ctx, website)).To(Succeed())
			deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "drift", Namespace: "default"}}
			Eventually(komega.Get(deployment)).Should(Succeed())

			By("scaling the Website")
			Eventually(komega.Update(website, func() { website.Spec.Replicas = ptr.To(int32(3)) })).Should(Succeed())
			Eventually(komega.Object(deployment)).Should(HaveField("Spec.Replicas", Equal(ptr.To(int32(3)))))
			Eventually(komega.Object(website)).Should(HaveField("Status.ObservedGeneration", Equal(int64(2))))

			By("editing the Service behind the controller's back")
			service := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "drift", Namespace: "default"}}
			Eventually(komega.Get(service)).Should(Succeed())
			Expect(komega.Update(service, func() { service.Spec.Ports[0].Port = 8080 })()).To(Succeed())
			Eventually(komega.Object(service)).Should(HaveField("Spec.Ports", ConsistOf(HaveField("Port", Equal(int32(80))))))
		})
	})

	Context("through the manager's cache", func() {
		It("reads Websites and owned objects from informers", func() {
			website := newWebsite("cached", "nginx:1.27")
			Expect(k8sClient.Create(ctx, website)).To(Succeed())

			cached := &webappv1.Website{}
			Eventually(func(g Gomega) {
				g.Expect(k8sManager.GetClient().Get(ctx, client.ObjectKeyFromObject(website), cached)).To(Succeed())
				g.Expect(cached.Status.DeploymentName).To(Equal("cached"))
			}).Should(Succeed())

			By("listing owned Deployments by label from the cache")
			deployments := &appsv1.DeploymentList{}
			Eventually(func(g Gomega) {
				g.Expect(k8sManager.GetCache().List(ctx, deployments, client.InNamespace("default"),
					client.MatchingLabels{"app.kubernetes.io/instance": "cached"})).To(Succeed())
				g.Expect(deployments.Items).To(ConsistOf(HaveField("Name", "cached")))
			}).Should(Succeed())

			By("seeing an update and a delete through an informer's event handler")
			informer, err := k8sManager.GetCache().GetInformer(ctx, &webappv1.Website{})
			Expect(err).NotTo(HaveOccurred())
			events := make(chan string, 100)
			registration, err := informer.AddEventHandler(eventRecorder(events, "cached"))
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(informer.RemoveEventHandler, registration)
			Eventually(registration.HasSynced).Should(BeTrue())
			Eventually(events).Should(Receive(Equal("add")))

			Eventually(komega.Update(website, func() { website.Labels = map[string]string{"tier": "frontend"} })).Should(Succeed())
			Eventually(events).Should(Receive(Equal("update")))
			Eventually(func(g Gomega) {
				g.Expect(k8sManager.GetClient().Get(ctx, client.ObjectKeyFromObject(website), cached)).To(Succeed())
				g.Expect(cached.Labels).To(HaveKeyWithValue("tier", "frontend"))
				g.Expect(cached.ResourceVersion).To(Equal(website.ResourceVersion))
			}).Should(Succeed())

			Expect(k8sClient.Delete(ctx, website)).To(Succeed())
			Eventually(events).Should(Receive(Equal("delete")))
			Eventually(func() error {
				return k8sManager.GetClient().Get(ctx, types.NamespacedName{Namespace: "default", Name: "cached"}, &webappv1.Website{})
			}).Should(Satisfy(apierrors.IsNotFound))
		})
	})
})
