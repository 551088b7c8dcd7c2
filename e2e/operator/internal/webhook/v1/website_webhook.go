// Package v1 holds the admission webhooks of webapp.memkube.io/v1 Websites:
// a defaulting webhook (replicas and port) and a validating webhook (the
// image is pinned to a tag), registered with controller-runtime's webhook
// builder as kubebuilder scaffolds them.
package v1

import (
	"context"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
)

var websitelog = logf.Log.WithName("website-resource")

// The defaults the defaulting webhook sets.
const (
	DefaultReplicas int32 = 1
	DefaultPort     int32 = 80
)

// SetupWebsiteWebhookWithManager registers the webhooks for Website in the
// manager. Because v2 Websites implement conversion.Convertible to the v1
// hub, the builder also serves the conversion webhook on /convert.
func SetupWebsiteWebhookWithManager(mgr ctrl.Manager) error {
	return ctrl.NewWebhookManagedBy(mgr, &webappv1.Website{}).
		WithValidator(&WebsiteCustomValidator{}).
		WithDefaulter(&WebsiteCustomDefaulter{}).
		Complete()
}

// +kubebuilder:webhook:path=/mutate-webapp-memkube-io-v1-website,mutating=true,failurePolicy=fail,sideEffects=None,groups=webapp.memkube.io,resources=websites,verbs=create;update,versions=v1,name=mwebsite-v1.kb.io,admissionReviewVersions=v1

// WebsiteCustomDefaulter sets spec.replicas and spec.port when they are
// unset.
type WebsiteCustomDefaulter struct{}

var _ admission.Defaulter[*webappv1.Website] = &WebsiteCustomDefaulter{}

// Default implements admission.Defaulter.
func (d *WebsiteCustomDefaulter) Default(_ context.Context, website *webappv1.Website) error {
	websitelog.Info("defaulting", "name", website.GetName())
	if website.Spec.Replicas == nil {
		replicas := DefaultReplicas
		website.Spec.Replicas = &replicas
	}
	if website.Spec.Port == 0 {
		website.Spec.Port = DefaultPort
	}
	return nil
}

// +kubebuilder:webhook:path=/validate-webapp-memkube-io-v1-website,mutating=false,failurePolicy=fail,sideEffects=None,groups=webapp.memkube.io,resources=websites,verbs=create;update,versions=v1,name=vwebsite-v1.kb.io,admissionReviewVersions=v1

// WebsiteCustomValidator refuses Websites whose image is not pinned to a
// tag: no tag, or "latest".
type WebsiteCustomValidator struct{}

var _ admission.Validator[*webappv1.Website] = &WebsiteCustomValidator{}

// ValidateCreate implements admission.Validator.
func (v *WebsiteCustomValidator) ValidateCreate(_ context.Context, website *webappv1.Website) (admission.Warnings, error) {
	return nil, validateWebsite(website)
}

// ValidateUpdate implements admission.Validator.
func (v *WebsiteCustomValidator) ValidateUpdate(_ context.Context, _, website *webappv1.Website) (admission.Warnings, error) {
	return nil, validateWebsite(website)
}

// ValidateDelete implements admission.Validator; deletes are not checked.
func (v *WebsiteCustomValidator) ValidateDelete(context.Context, *webappv1.Website) (admission.Warnings, error) {
	return nil, nil
}

func validateWebsite(website *webappv1.Website) error {
	var errs field.ErrorList
	image := website.Spec.Image
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") || image[i+1:] == "latest" {
		errs = append(errs, field.Invalid(field.NewPath("spec", "image"), image, "must be pinned to a tag other than latest"))
	}
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(webappv1.GroupVersion.WithKind("Website").GroupKind(), website.Name, errs)
}
