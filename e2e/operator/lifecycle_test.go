package operator_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
)

// holdFinalizer keeps an object from disappearing until the test lets go.
const holdFinalizer = "e2e.memkube.io/hold"

// reconciledWebsite creates a Website and waits for its Deployment and
// Service.
func reconciledWebsite(namespace, name string) (*webappv1.Website, *appsv1.Deployment, *corev1.Service) {
	GinkgoHelper()
	website := newWebsite(name, "nginx:1.27")
	website.Namespace = namespace
	Expect(k8sClient.Create(ctx, website)).To(Succeed())
	deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	service := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	Eventually(komega.Get(deployment)).Should(Succeed())
	Eventually(komega.Get(service)).Should(Succeed())
	return website, deployment, service
}

// gone is a function for Eventually: the object is not found.
func gone(obj client.Object) func() error {
	return komega.Get(obj.DeepCopyObject().(client.Object))
}

var _ = Describe("Lifecycle", func() {
	Context("deleting a namespace", func() {
		It("deletes its contents, custom resources included, then the namespace", func() {
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "doomed"}}
			Expect(k8sClient.Create(ctx, ns)).To(Succeed())
			website, deployment, service := reconciledWebsite("doomed", "site")
			configMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "doomed"}}
			Expect(k8sClient.Create(ctx, configMap)).To(Succeed())

			Expect(k8sClient.Delete(ctx, ns)).To(Succeed())
			Eventually(gone(ns)).Should(Satisfy(apierrors.IsNotFound))
			for _, obj := range []client.Object{website, deployment, service, configMap} {
				Expect(gone(obj)()).To(Satisfy(apierrors.IsNotFound), "%T %s", obj, obj.GetName())
			}
			websites := &webappv1.WebsiteList{}
			Expect(k8sClient.List(ctx, websites, client.InNamespace("doomed"))).To(Succeed())
			Expect(websites.Items).To(BeEmpty())
		})
	})

	Context("deleting a Website", func() {
		It("in the background: the Website goes, then the garbage collector deletes what it owns", func() {
			website, deployment, service := reconciledWebsite("default", "background")
			Expect(k8sClient.Delete(ctx, website, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())
			Expect(gone(website)()).To(Satisfy(apierrors.IsNotFound))
			Eventually(gone(deployment)).Should(Satisfy(apierrors.IsNotFound))
			Eventually(gone(service)).Should(Satisfy(apierrors.IsNotFound))
		})

		It("in the foreground: the Website stays with the foregroundDeletion finalizer until its dependents are gone", func() {
			website, deployment, service := reconciledWebsite("default", "foreground")
			By("holding the Deployment back with a finalizer of its own")
			Eventually(komega.Update(deployment, func() { controllerutil.AddFinalizer(deployment, holdFinalizer) })).Should(Succeed())

			Expect(k8sClient.Delete(ctx, website, client.PropagationPolicy(metav1.DeletePropagationForeground))).To(Succeed())
			Eventually(komega.Object(deployment)).Should(HaveField("DeletionTimestamp", Not(BeNil())))
			Eventually(gone(service)).Should(Satisfy(apierrors.IsNotFound))
			Consistently(komega.Object(website), 300*time.Millisecond, 20*time.Millisecond).Should(SatisfyAll(
				HaveField("DeletionTimestamp", Not(BeNil())),
				HaveField("Finalizers", ConsistOf(metav1.FinalizerDeleteDependents)),
			))

			By("letting the Deployment go")
			Eventually(komega.Update(deployment, func() { controllerutil.RemoveFinalizer(deployment, holdFinalizer) })).Should(Succeed())
			Eventually(gone(deployment)).Should(Satisfy(apierrors.IsNotFound))
			Eventually(gone(website)).Should(Satisfy(apierrors.IsNotFound))
		})

		It("orphaning: the dependents stay, without their owner reference", func() {
			website, deployment, service := reconciledWebsite("default", "orphan")
			Expect(k8sClient.Delete(ctx, website, client.PropagationPolicy(metav1.DeletePropagationOrphan))).To(Succeed())
			Eventually(gone(website)).Should(Satisfy(apierrors.IsNotFound))
			// the orphan finalizer is removed after the references are.
			for _, obj := range []client.Object{deployment, service} {
				Expect(komega.Object(obj)()).To(HaveField("ObjectMeta.OwnerReferences", BeEmpty()), "%T", obj)
			}
			Consistently(func(g Gomega) {
				g.Expect(komega.Get(deployment)()).To(Succeed())
				g.Expect(komega.Get(service)()).To(Succeed())
			}, 300*time.Millisecond, 20*time.Millisecond).Should(Succeed())
		})
	})
})
