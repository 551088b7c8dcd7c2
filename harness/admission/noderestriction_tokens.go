package admission

import (
	"context"
	"fmt"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/component-helpers/storage/ephemeral"
	csitrans "k8s.io/csi-translation-lib"
	"k8s.io/klog/v2"
)

// admitServiceAccount lets a node request a token (serviceaccounts/token)
// only bound to a pod, by name and uid, that is bound to the node, and
// only for an audience the pod uses or the node is authorized for.
func (p *nodeRestriction) admitServiceAccount(ctx context.Context, nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Create || a.GetSubresource() != "token" {
		return nil
	}
	tr, ok := a.GetObject().(*authenticationv1.TokenRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	ref := tr.Spec.BoundObjectRef
	if ref == nil || ref.APIVersion != "v1" || ref.Kind != "Pod" || ref.Name == "" {
		return admission.NewForbidden(a, fmt.Errorf("node requested token not bound to a pod"))
	}
	if ref.UID == "" {
		return admission.NewForbidden(a, fmt.Errorf("node requested token with a pod binding without a uid"))
	}
	pod, err := p.pods.Pods(a.GetNamespace()).Get(ref.Name)
	if apierrors.IsNotFound(err) {
		return err
	}
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	if ref.UID != pod.UID {
		return admission.NewForbidden(a, fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	if pod.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node requested token bound to a pod scheduled on a different node"))
	}
	if serviceAccountNodeAudienceRestriction {
		if err := p.validateTokenAudience(ctx, tr, pod, a); err != nil {
			return admission.NewForbidden(a, err)
		}
	}
	// A token binds one object: requiring the pod keeps a node from
	// binding it to another node; the token registry adds the pod's node.
	return nil
}

// validateTokenAudience allows the one audience (or none) of a node's
// token request if the pod uses it (a projected token, or a CSI driver
// of one of its volumes asking for it) or the authorizer allows the node
// the verb request-serviceaccounts-token-audience on it.
func (p *nodeRestriction) validateTokenAudience(ctx context.Context, tr *authenticationv1.TokenRequest, pod *corev1.Pod, a admission.Attributes) error {
	var audience string
	switch len(tr.Spec.Audiences) {
	case 0:
	case 1:
		audience = tr.Spec.Audiences[0]
	default:
		return fmt.Errorf("node may only request 0 or 1 audiences")
	}
	found, err := p.podUsesAudience(ctx, pod, audience)
	if err != nil {
		return fmt.Errorf("error validating audience %q: %w", audience, err)
	}
	if found {
		return nil
	}
	// The operation is on the service account: the name is its name.
	decision, _, err := p.authz.Authorize(ctx, authorizerAttributes(a, "request-serviceaccounts-token-audience", audience, a.GetName()))
	// An authorizer may allow and report an error (RBAC's evaluation
	// errors): the decision comes first, as in the authorization filter.
	if decision == authorizer.DecisionAllow {
		return nil
	}
	if err != nil {
		return fmt.Errorf("error authorizing %s to request tokens for audience %q: %w", a.GetUserInfo().GetName(), audience, err)
	}
	return fmt.Errorf("%s is not authorized to request tokens for audience %q", a.GetUserInfo().GetName(), audience)
}

// podUsesAudience reports whether a volume of pod projects a token for
// audience, or is served by a CSI driver whose tokenRequests ask for it:
// a CSI volume, a PVC or ephemeral volume whose PV is CSI or migrated to
// it, or an inline in-tree volume migrated to CSI. Errors looking a
// volume up or translating it are returned only if no volume uses the
// audience.
func (p *nodeRestriction) podUsesAudience(ctx context.Context, pod *corev1.Pod, audience string) (bool, error) {
	var errs []error
	for _, v := range pod.Spec.Volumes {
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ServiceAccountToken != nil && src.ServiceAccountToken.Audience == audience {
					return true, nil
				}
			}
		}
		var driver string
		var err error
		switch {
		case v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil:
			driver, err = p.pvcCSIDriver(ctx, pod.Namespace, ephemeral.VolumeClaimName(pod, &v))
		case v.PersistentVolumeClaim != nil:
			driver, err = p.pvcCSIDriver(ctx, pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		case v.CSI != nil:
			driver = v.CSI.Driver
		case csiTranslator.IsInlineMigratable(&v):
			var pv *corev1.PersistentVolume
			if pv, err = csiTranslator.TranslateInTreeInlineVolumeToCSI(klog.FromContext(ctx), &v, pod.Namespace); err == nil && pv != nil && pv.Spec.CSI != nil {
				driver = pv.Spec.CSI.Driver
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if driver == "" {
			continue
		}
		has, err := p.csiDriverHasAudience(driver, audience)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if has {
			return true, nil
		}
	}
	return false, utilerrors.NewAggregate(errs)
}

// pvcCSIDriver returns the CSI driver of the PV bound to a claim, "" if
// the PV is neither CSI nor migrated to it.
func (p *nodeRestriction) pvcCSIDriver(ctx context.Context, namespace, claim string) (string, error) {
	pvc, err := p.pvcs.PersistentVolumeClaims(namespace).Get(claim)
	if err != nil {
		return "", err
	}
	pv, err := p.pvs.Get(pvc.Spec.VolumeName)
	if err != nil {
		return "", err
	}
	if pv.Spec.CSI != nil {
		return pv.Spec.CSI.Driver, nil
	}
	if !csiTranslator.IsPVMigratable(pv) {
		return "", nil
	}
	translated, err := csiTranslator.TranslateInTreePVToCSI(klog.FromContext(ctx), pv)
	if err != nil {
		return "", err
	}
	if translated != nil && translated.Spec.CSI != nil {
		return translated.Spec.CSI.Driver, nil
	}
	return "", nil
}

// csiTranslator translates in-tree volumes to the CSI drivers they are
// migrated to, as upstream's plugin does; it has no state.
var csiTranslator = csitrans.New()

func (p *nodeRestriction) csiDriverHasAudience(driver, audience string) (bool, error) {
	d, err := p.csiDrivers.Get(driver)
	if err != nil {
		return false, err
	}
	for _, tr := range d.Spec.TokenRequests {
		if tr.Audience == audience {
			return true, nil
		}
	}
	return false, nil
}

// authorizerAttributes asks whether the request's user may verb the
// resource (a made-up one, as "audience" or a signer) of the request's
// group and version, with the given name.
func authorizerAttributes(a admission.Attributes, verb, resource, name string) authorizer.AttributesRecord {
	return authorizer.AttributesRecord{
		User:            a.GetUserInfo(),
		Verb:            verb,
		APIGroup:        a.GetResource().Group,
		APIVersion:      a.GetResource().Version,
		Resource:        resource,
		Namespace:       a.GetNamespace(),
		Name:            name,
		ResourceRequest: true,
	}
}

// admitPodCertificateRequest lets a node create PodCertificateRequests
// only for itself, for a non-mirror pod bound to it, with the pod's
// service account, and for a signer the pod mounts or the node is
// authorized for. A uid that differs from the informer's is not
// Forbidden (the informer may lag): a retry may succeed.
func (p *nodeRestriction) admitPodCertificateRequest(ctx context.Context, nodeName string, a admission.Attributes) error {
	if !podCertificateRequest {
		return admission.NewForbidden(a, fmt.Errorf("PodCertificateRequest feature gate is disabled"))
	}
	if a.GetOperation() != admission.Create {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %v", a.GetOperation()))
	}
	if a.GetSubresource() != "" {
		return admission.NewForbidden(a, fmt.Errorf("unexpected subresource %v", a.GetSubresource()))
	}
	namespace := a.GetNamespace()
	req, ok := a.GetObject().(*certificatesv1.PodCertificateRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	podRef := namespace + "/" + req.Spec.PodName

	if string(req.Spec.NodeName) != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("PodCertificateRequest.Spec.NodeName=%q, which is not the requesting node %q", req.Spec.NodeName, nodeName))
	}
	node, err := p.nodes.Get(string(req.Spec.NodeName))
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("while retrieving node %q named in the PodCertificateRequest: %w", req.Spec.NodeName, err)
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("while retrieving node %q named in the PodCertificateRequest: %w", req.Spec.NodeName, err))
	}
	if node.UID != req.Spec.NodeUID {
		return fmt.Errorf("PodCertificateRequest for pod %q names node UID %q, inconsistent with the running node (%q)", podRef, req.Spec.NodeUID, node.UID)
	}

	pod, err := p.pods.Pods(namespace).Get(req.Spec.PodName)
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("while retrieving pod %q named in the PodCertificateRequest: %w", podRef, err)
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("while retrieving pod %q named in the PodCertificateRequest: %w", podRef, err))
	}
	if req.Spec.PodUID != pod.UID {
		return fmt.Errorf("PodCertificateRequest for pod %q contains pod UID (%q) which differs from running pod %q", podRef, req.Spec.PodUID, string(pod.UID))
	}
	if pod.Spec.NodeName != string(req.Spec.NodeName) {
		return admission.NewForbidden(a, fmt.Errorf("pod %q is not running on node %q named in the PodCertificateRequest", podRef, req.Spec.NodeName))
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return admission.NewForbidden(a, fmt.Errorf("pod %q is a mirror pod", podRef))
	}
	// The uids match: a different name is not the informer's lag.
	if req.Spec.ServiceAccountName != pod.Spec.ServiceAccountName {
		return admission.NewForbidden(a, fmt.Errorf("PodCertificateRequest for pod %q contains serviceAccountName (%q) that differs from running pod (%q)", podRef, req.Spec.ServiceAccountName, pod.Spec.ServiceAccountName))
	}
	saRef := namespace + "/" + req.Spec.ServiceAccountName
	sa, err := p.serviceAccounts.ServiceAccounts(namespace).Get(req.Spec.ServiceAccountName)
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("while retrieving service account %q named in the PodCertificateRequest: %w", saRef, err)
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("while retrieving service account %q named in the PodCertificateRequest: %w", saRef, err))
	}
	if req.Spec.ServiceAccountUID != sa.UID {
		return fmt.Errorf("PodCertificateRequest for pod %q names service account UID %q, which differs from the running service account (%q)", podRef, req.Spec.ServiceAccountUID, sa.UID)
	}
	if err := p.validatePodCertificateSigner(ctx, pod, req, a); err != nil {
		return admission.NewForbidden(a, err)
	}
	return nil
}

// validatePodCertificateSigner allows the signer of a pod certificate
// request if the pod mounts a podCertificate projection of it or the
// authorizer allows the node request-serviceaccounts-podcertificate-signer
// on the signer name (its slashes as colons, which RBAC can name).
func (p *nodeRestriction) validatePodCertificateSigner(ctx context.Context, pod *corev1.Pod, req *certificatesv1.PodCertificateRequest, a admission.Attributes) error {
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.PodCertificate != nil && src.PodCertificate.SignerName == req.Spec.SignerName {
				return nil
			}
		}
	}
	signer := strings.ReplaceAll(req.Spec.SignerName, "/", ":")
	decision, _, err := p.authz.Authorize(ctx, authorizerAttributes(a, "request-serviceaccounts-podcertificate-signer", signer, req.Spec.ServiceAccountName))
	if decision == authorizer.DecisionAllow {
		return nil
	}
	if err != nil {
		return fmt.Errorf("error authorizing %s to request podcertificaterequests for signer %q: %w", a.GetUserInfo().GetName(), req.Spec.SignerName, err)
	}
	return fmt.Errorf("pod %q does not mount a podCertificate projected volume for signer %q", a.GetNamespace()+"/"+req.Spec.PodName, req.Spec.SignerName)
}
