// Package controller holds the Website reconciler.
package controller

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
)

// ConditionAvailable is True when every replica of the Website's
// Deployment is ready.
const ConditionAvailable = "Available"

// WebsiteReconciler reconciles a Website: it owns a Deployment running the
// image and a Service in front of it, both named after the Website, and
// reports the Deployment's readiness in the Website's status.
type WebsiteReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// APIReader, when set, reads the Website itself from the API server:
	// the cache can lag the Deployment's and Service's events, and a
	// reconcile of a Website being deleted with propagationPolicy Orphan
	// would put back the owner references the garbage collector has just
	// removed (so it would delete the dependents after all).
	APIReader client.Reader
}

// +kubebuilder:rbac:groups=webapp.memkube.io,resources=websites,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=webapp.memkube.io,resources=websites/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;create;update;patch;delete

// Reconcile brings the Deployment and Service in line with the Website and
// updates its status.
func (r *WebsiteReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)

	website := &webappv1.Website{}
	var reader client.Reader = r.Client
	if r.APIReader != nil {
		reader = r.APIReader
	}
	if err := reader.Get(ctx, req.NamespacedName, website); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !website.DeletionTimestamp.IsZero() {
		// the garbage collector deletes what the Website owns.
		return ctrl.Result{}, nil
	}
	labels := map[string]string{"app.kubernetes.io/name": "website", "app.kubernetes.io/instance": website.Name}

	deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: website.Name, Namespace: website.Namespace}}
	op, err := controllerutil.CreateOrUpdate(ctx, r.Client, deployment, func() error {
		deployment.Labels = labels
		deployment.Spec.Replicas = website.Spec.Replicas
		deployment.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels}
		deployment.Spec.Template.Labels = labels
		containers := deployment.Spec.Template.Spec.Containers
		if len(containers) != 1 {
			containers = []corev1.Container{{Name: "web"}}
		}
		containers[0].Image = website.Spec.Image
		containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: website.Spec.Port, Protocol: corev1.ProtocolTCP}}
		deployment.Spec.Template.Spec.Containers = containers
		return controllerutil.SetControllerReference(website, deployment, r.Scheme)
	})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("reconcile deployment: %w", err)
	}
	log.V(1).Info("deployment", "operation", op)

	service := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: website.Name, Namespace: website.Namespace}}
	op, err = controllerutil.CreateOrUpdate(ctx, r.Client, service, func() error {
		service.Labels = labels
		service.Spec.Selector = labels
		service.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: website.Spec.Port, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}}
		return controllerutil.SetControllerReference(website, service, r.Scheme)
	})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("reconcile service: %w", err)
	}
	log.V(1).Info("service", "operation", op)

	status := *website.Status.DeepCopy()
	status.ObservedGeneration = website.Generation
	status.DeploymentName = deployment.Name
	status.ServiceName = service.Name
	status.ReadyReplicas = deployment.Status.ReadyReplicas
	want := int32(1)
	if website.Spec.Replicas != nil {
		want = *website.Spec.Replicas
	}
	available := metav1.Condition{Type: ConditionAvailable, Status: metav1.ConditionFalse, Reason: "ReplicasNotReady",
		Message: fmt.Sprintf("%d of %d replicas ready", deployment.Status.ReadyReplicas, want), ObservedGeneration: website.Generation}
	if deployment.Status.ReadyReplicas >= want {
		available.Status, available.Reason = metav1.ConditionTrue, "ReplicasReady"
	}
	meta.SetStatusCondition(&status.Conditions, available)
	if equality.Semantic.DeepEqual(status, website.Status) {
		return ctrl.Result{}, nil
	}
	website.Status = status
	return ctrl.Result{}, r.Status().Update(ctx, website)
}

// SetupWithManager sets up the controller with the Manager: Websites, and
// the Deployments and Services they own.
func (r *WebsiteReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&webappv1.Website{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Named("website").
		Complete(r)
}
