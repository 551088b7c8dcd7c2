package serviceaccount

import (
	"context"
	"fmt"
	"slices"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/audit"
	apiserverserviceaccount "k8s.io/apiserver/pkg/authentication/serviceaccount"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericfeatures "k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/registry/rest"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/apiserver/pkg/warning"
)

// TokenREST serves serviceaccounts/token: POST a TokenRequest, get a token
// of the service account named in the URL (upstream's
// pkg/registry/core/serviceaccount/storage/token.go).
type TokenREST struct {
	tokens *Tokens
	// serviceAccounts, pods, secrets, nodes are the registries read.
	serviceAccounts, pods, secrets, nodes rest.Getter
}

var (
	_ rest.NamedCreater                   = &TokenREST{}
	_ rest.GroupVersionKindProvider       = &TokenREST{}
	_ rest.SubresourceObjectMetaPreserver = &TokenREST{}
)

// tokenRequestGVK is the kind serviceaccounts/token takes and returns.
var tokenRequestGVK = authenticationv1.SchemeGroupVersion.WithKind("TokenRequest")

// minExpirationSeconds and maxExpirationSeconds bound spec.expirationSeconds.
const (
	minExpirationSeconds = 10 * 60
	maxExpirationSeconds = 1 << 32
)

// REST returns the serviceaccounts/token endpoint over the given registries.
func (t *Tokens) REST(serviceAccounts, pods, secrets, nodes rest.Getter) *TokenREST {
	return &TokenREST{tokens: t, serviceAccounts: serviceAccounts, pods: pods, secrets: secrets, nodes: nodes}
}

func (r *TokenREST) New() runtime.Object { return &authenticationv1.TokenRequest{} }
func (r *TokenREST) Destroy()            {}

func (r *TokenREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return tokenRequestGVK
}

// PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate keeps the
// request's metadata.uid: it names the service account's uid.
func (r *TokenREST) PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate() bool { return true }

// Create issues a token of service account name in the request's
// namespace, with upstream's checks and messages.
func (r *TokenREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*authenticationv1.TokenRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenRequest: %T", obj))
	}
	namespace, ok := genericapirequest.NamespaceFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("namespace is required")
	}
	if req.Name != "" && req.Name != name {
		return nil, apierrors.NewInvalid(tokenRequestGVK.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("metadata", "name"), req.Name, "must match the service account name if specified")})
	}
	if req.Namespace != "" && req.Namespace != namespace {
		return nil, apierrors.NewInvalid(tokenRequestGVK.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("metadata", "namespace"), req.Namespace, "must match the service account namespace if specified")})
	}
	sa, err := get[*corev1.ServiceAccount](ctx, r.serviceAccounts, "serviceaccounts", namespace, name)
	if err != nil {
		return nil, err
	}
	if req.UID != "" && req.UID != sa.UID {
		msg := fmt.Sprintf("the UID in the token request (%s) does not match the UID of the service account (%s)", req.UID, sa.UID)
		if utilfeature.DefaultFeatureGate.Enabled(genericfeatures.TokenRequestServiceAccountUIDValidation) {
			return nil, apierrors.NewConflict(schema.GroupResource{Group: tokenRequestGVK.Group, Resource: tokenRequestGVK.Kind}, name, fmt.Errorf("%s", msg))
		}
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/token-request-uid-mismatch", msg)
		warning.AddWarning(ctx, "", msg+" but TokenRequestServiceAccountUIDValidation is not enabled. In the future, this will return a conflict error")
	}
	if len(req.Spec.Audiences) == 0 {
		req.Spec.Audiences = r.tokens.APIAudiences()
	}
	if req.Name == "" {
		req.Name = sa.Name
	}
	if req.Namespace == "" {
		req.Namespace = sa.Namespace
	}
	if req.UID == "" {
		req.UID = sa.UID
	}
	// now is taken before the token is built, so that the expiration in
	// status is never after the token's "exp".
	now := r.tokens.clock.Now()
	req.CreationTimestamp = metav1.NewTime(now)
	req.Status = authenticationv1.TokenRequestStatus{}
	if req.Spec.ExpirationSeconds == nil {
		var zero int64
		req.Spec.ExpirationSeconds = &zero
	}
	if errs := validateTokenRequest(req); len(errs) != 0 {
		return nil, apierrors.NewInvalid(tokenRequestGVK.GroupKind(), "", errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	bound, err := r.bound(ctx, name, namespace, req.Spec.BoundObjectRef)
	if err != nil {
		return nil, err
	}
	// kube-apiserver's --service-account-extend-token-expiration (on by
	// default): the tokens kubelet projects into pods live a year, and
	// say when the hour they asked for ended.
	exp, warnAfter := *req.Spec.ExpirationSeconds, int64(0)
	if bound.pod != nil && exp == WarnOnlyBoundTokenExpirationSeconds && r.isKubeAudiences(req.Spec.Audiences) {
		warnAfter, exp = exp, ExpirationExtensionSeconds
	}
	public, private := claims(sa, bound, now, exp, warnAfter, req.Spec.Audiences)
	token, err := r.tokens.sign(r.tokens.issuer, public, private)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("failed to generate token: %v", err))
	}
	out := req.DeepCopy()
	out.Status = authenticationv1.TokenRequestStatus{
		Token:               token,
		ExpirationTimestamp: metav1.NewTime(now.Add(time.Duration(*out.Spec.ExpirationSeconds) * time.Second)),
	}
	audit.AddAuditAnnotation(ctx, apiserverserviceaccount.IssuedCredentialIDAuditAnnotationKey, "JTI="+public.ID)
	return out, nil
}

// bound looks up the object a token is to be bound to, with upstream's
// rules: a Pod running as the service account, a Secret, or a Node, of the
// uid the reference names if it names one. A pod's node is bound too, if it
// is scheduled (by name only if the node is gone).
func (r *TokenREST) bound(ctx context.Context, saName, namespace string, ref *authenticationv1.BoundObjectReference) (boundObjects, error) {
	var out boundObjects
	if ref == nil {
		return out, nil
	}
	var uid types.UID
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		pod, err := get[*corev1.Pod](ctx, r.pods, "pods", namespace, ref.Name)
		if err != nil {
			return out, err
		}
		if saName != pod.Spec.ServiceAccountName {
			return out, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", saName))
		}
		out.pod, uid = pod, pod.UID
		if nodeName := pod.Spec.NodeName; nodeName != "" {
			node, err := get[*corev1.Node](ctx, r.nodes, "nodes", "", nodeName)
			switch {
			case apierrors.IsNotFound(err):
				out.node = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}}
			case err != nil:
				return out, apierrors.NewInternalError(err)
			default:
				out.node = node
			}
		}
	case gvk.Group == "" && gvk.Kind == "Node":
		node, err := get[*corev1.Node](ctx, r.nodes, "nodes", "", ref.Name)
		if err != nil {
			return out, err
		}
		out.node, uid = node, node.UID
	case gvk.Group == "" && gvk.Kind == "Secret":
		secret, err := get[*corev1.Secret](ctx, r.secrets, "secrets", namespace, ref.Name)
		if err != nil {
			return out, err
		}
		out.secret, uid = secret, secret.UID
	case gvk.GroupVersion() == admissionregistrationv1.SchemeGroupVersion && (gvk.Kind == "ValidatingWebhookConfiguration" || gvk.Kind == "MutatingWebhookConfiguration"):
		if !utilfeature.DefaultFeatureGate.Enabled(genericfeatures.APIServerWebhookAuthenticationToken) {
			return out, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s (feature gate %s is disabled)", gvk.String(), genericfeatures.APIServerWebhookAuthenticationToken))
		}
		// a gap of memkube's (package doc), not upstream's behaviour.
		return out, apierrors.NewBadRequest(fmt.Sprintf("memkube does not issue tokens bound to objects of type %s", gvk.String()))
	default:
		return out, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s", gvk.String()))
	}
	if ref.UID != "" && uid != ref.UID {
		return out, apierrors.NewConflict(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, ref.Name,
			fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	return out, nil
}

// isKubeAudiences reports whether every audience is one of the API's.
func (r *TokenREST) isKubeAudiences(audiences []string) bool {
	for _, a := range audiences {
		if !slices.Contains(r.tokens.audiences, a) {
			return false
		}
	}
	return true
}

// validateTokenRequest is upstream's ValidateTokenRequest
// (pkg/apis/authentication/validation); spec.expirationSeconds is set.
func validateTokenRequest(tr *authenticationv1.TokenRequest) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	exp := *tr.Spec.ExpirationSeconds
	if exp < minExpirationSeconds {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), exp, "may not specify a duration less than 10 minutes"))
	}
	if exp > maxExpirationSeconds {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), exp, "may not specify a duration larger than 2^32 seconds"))
	}
	if !isWebhookRef(tr.Spec.BoundObjectRef) {
		if len(tr.Spec.Attestations) != 0 {
			return field.ErrorList{field.Invalid(spec.Child("attestations"), tr.Spec.Attestations, "attestations may only be specified with a webhook bound object reference")}
		}
		return errs
	}
	if len(tr.Spec.Audiences) != 1 {
		errs = append(errs, field.Invalid(spec.Child("audiences"), tr.Spec.Audiences, "must be length 1 when bound to a webhook config"))
	}
	path := spec.Child("attestations")
	if len(tr.Spec.Attestations) != 1 {
		return append(errs, field.Invalid(path, tr.Spec.Attestations, "webhook bound requests require exactly one admissionReviewAPIGroups attestation"))
	}
	for key, values := range tr.Spec.Attestations {
		p := path.Key(key)
		switch {
		case key != authenticationv1.AttestationAdmissionReviewAPIGroups:
			errs = append(errs, field.NotSupported(p, key, []string{authenticationv1.AttestationAdmissionReviewAPIGroups}))
		case len(values) != 1:
			errs = append(errs, field.Invalid(p, values, "must specify a single value"))
		case values[0] == "":
			errs = append(errs, field.Invalid(p.Index(0), values[0], "may not be an empty string"))
		case values[0] != "*":
			for _, reason := range validation.IsDNS1123Subdomain(values[0]) {
				errs = append(errs, field.Invalid(p.Index(0), values[0], "must specify a valid API Group: "+reason))
			}
		}
	}
	return errs
}

// isWebhookRef reports whether ref names an admissionregistration.k8s.io/v1
// webhook configuration.
func isWebhookRef(ref *authenticationv1.BoundObjectReference) bool {
	if ref == nil {
		return false
	}
	return (ref.Kind == "ValidatingWebhookConfiguration" || ref.Kind == "MutatingWebhookConfiguration") &&
		ref.APIVersion == admissionregistrationv1.SchemeGroupVersion.String()
}
