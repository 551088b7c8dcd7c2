package admission

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// ServiceAccountPluginName is the name of the plugin that gives pods their
// service account and its token volume. kube-apiserver runs it by
// default; envtest turns it off, and so does memkube (Enabled).
const ServiceAccountPluginName = "ServiceAccount"

const (
	defaultServiceAccountName = "default"
	// enforceMountableSecretsAnnotation "true" on a service account limits
	// its pods to the secrets it lists.
	enforceMountableSecretsAnnotation = "kubernetes.io/enforce-mountable-secrets"
	serviceAccountVolumePrefix        = "kube-api-access-"
	defaultAPITokenMountPath          = "/var/run/secrets/kubernetes.io/serviceaccount"
	// warnOnlyBoundTokenExpirationSeconds is the token lifetime kubelet
	// asks for (3607 s: a year, warning after the hour).
	warnOnlyBoundTokenExpirationSeconds = 3607
)

// serviceAccount is upstream's serviceaccount plugin, on new pods (not
// mirror pods, which it only checks):
//
//   - mutating: a pod without serviceAccountName gets "default"; it gets
//     the account's imagePullSecrets if it has none; unless the pod or the
//     account turns automountServiceAccountToken off, every container
//     without a mount at /var/run/secrets/kubernetes.io/serviceaccount
//     mounts a projected kube-api-access-<random> volume (a 3607 s bound
//     token, kube-root-ca.crt's ca.crt, the namespace);
//   - validating: the account must exist (the informer, then live, ten
//     times over about a second for "default", which its controller may
//     not have created yet); an account annotated
//     kubernetes.io/enforce-mountable-secrets "true" limits the pod to the
//     secrets and image pull secrets it lists.
type serviceAccount struct {
	*admission.Handler
	accounts corev1listers.ServiceAccountLister
	client   kubernetes.Interface
}

var (
	_ admission.MutationInterface   = (*serviceAccount)(nil)
	_ admission.ValidationInterface = (*serviceAccount)(nil)
)

func newServiceAccount(f informers.SharedInformerFactory, client kubernetes.Interface) *serviceAccount {
	accounts := f.Core().V1().ServiceAccounts()
	p := &serviceAccount{Handler: admission.NewHandler(admission.Create, admission.Update), accounts: accounts.Lister(), client: client}
	p.SetReadyFunc(accounts.Informer().HasSynced)
	return p
}

func serviceAccountInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Core().V1().ServiceAccounts().Informer()}
}

func serviceAccountIgnores(a admission.Attributes) bool {
	if a.GetResource().GroupResource() != corev1.Resource("pods") || (a.GetSubresource() != "" && a.GetSubresource() != "ephemeralcontainers") {
		return true
	}
	_, ok := a.GetObject().(*corev1.Pod)
	return !ok
}

func (p *serviceAccount) Admit(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	if serviceAccountIgnores(a) || a.GetOperation() != admission.Create {
		return nil
	}
	pod := a.GetObject().(*corev1.Pod)
	// a mirror pod's spec is kubelet's: checked, never changed.
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return p.Validate(ctx, a, o)
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = defaultServiceAccountName
		pod.Spec.DeprecatedServiceAccount = defaultServiceAccountName //nolint:staticcheck // kept in sync, as defaulting does
	}
	sa, err := p.get(ctx, a.GetNamespace(), pod.Spec.ServiceAccountName)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("error looking up service account %s/%s: %w", a.GetNamespace(), pod.Spec.ServiceAccountName, err))
	}
	if automount(sa, pod) {
		mountToken(pod)
	}
	if len(pod.Spec.ImagePullSecrets) == 0 {
		pod.Spec.ImagePullSecrets = make([]corev1.LocalObjectReference, len(sa.ImagePullSecrets))
		for i, s := range sa.ImagePullSecrets {
			pod.Spec.ImagePullSecrets[i].Name = s.Name
		}
	}
	return p.Validate(ctx, a, o)
}

func (p *serviceAccount) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if serviceAccountIgnores(a) {
		return nil
	}
	pod := a.GetObject().(*corev1.Pod)
	if a.GetOperation() == admission.Update && a.GetSubresource() == "ephemeralcontainers" {
		return p.validateEphemeralContainers(ctx, pod, a)
	}
	if a.GetOperation() != admission.Create {
		return nil
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return validateMirrorPod(pod, a)
	}
	if pod.Spec.ServiceAccountName == "" {
		return admission.NewForbidden(a, fmt.Errorf("no service account specified for pod %s/%s", a.GetNamespace(), pod.Name))
	}
	sa, err := p.get(ctx, a.GetNamespace(), pod.Spec.ServiceAccountName)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("error looking up service account %s/%s: %v", a.GetNamespace(), pod.Spec.ServiceAccountName, err))
	}
	if enforceMountableSecrets(sa) {
		if err := limitSecretReferences(sa, pod); err != nil {
			return admission.NewForbidden(a, err)
		}
	}
	return nil
}

func validateMirrorPod(pod *corev1.Pod, a admission.Attributes) error {
	if pod.Spec.ServiceAccountName != "" {
		return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not reference service accounts"))
	}
	if len(podSecretNames(pod)) > 0 {
		return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not reference secrets"))
	}
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil {
				return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not use ServiceAccountToken volume projections"))
			}
		}
	}
	return nil
}

func (p *serviceAccount) validateEphemeralContainers(ctx context.Context, pod *corev1.Pod, a admission.Attributes) error {
	if pod.Spec.ServiceAccountName == "" {
		return admission.NewForbidden(a, fmt.Errorf("no service account specified for pod %s/%s", a.GetNamespace(), pod.Name))
	}
	sa, err := p.get(ctx, a.GetNamespace(), pod.Spec.ServiceAccountName)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("error looking up service account %s/%s: %w", a.GetNamespace(), pod.Spec.ServiceAccountName, err))
	}
	if !enforceMountableSecrets(sa) {
		return nil
	}
	mountable := accountSecrets(sa)
	for _, c := range pod.Spec.EphemeralContainers {
		if err := containerSecretsAllowed("ephemeral container", c.Name, c.Env, c.EnvFrom, mountable, sa.Name); err != nil {
			return err
		}
	}
	return nil
}

// get is the service account: from the informer, else live (ten times
// for "default", 100-200 ms apart, as its controller may be creating it).
func (p *serviceAccount) get(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error) {
	sa, err := p.accounts.ServiceAccounts(namespace).Get(name)
	if err == nil {
		return sa, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, err
	}
	attempts := 1
	if name == defaultServiceAccountName {
		attempts = 10
	}
	interval := time.Duration(100+rand.Int64N(100)) * time.Millisecond
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(interval):
			}
		}
		sa, err := p.client.CoreV1().ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			return sa, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	return nil, apierrors.NewNotFound(corev1.Resource("serviceaccount"), name)
}

// automount: the pod's automountServiceAccountToken, else the account's,
// else true.
func automount(sa *corev1.ServiceAccount, pod *corev1.Pod) bool {
	if pod.Spec.AutomountServiceAccountToken != nil {
		return *pod.Spec.AutomountServiceAccountToken
	}
	if sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}

func enforceMountableSecrets(sa *corev1.ServiceAccount) bool {
	enforce, _ := strconv.ParseBool(sa.Annotations[enforceMountableSecretsAnnotation])
	return enforce
}

// mountToken mounts the token volume (a kube-api-access- volume of the
// pod's, or a new one) in every container without a mount at the token's
// path.
func mountToken(pod *corev1.Pod) {
	volume, hasVolume := "", false
	for _, v := range pod.Spec.Volumes {
		if strings.HasPrefix(v.Name, serviceAccountVolumePrefix) {
			volume, hasVolume = v.Name, true
			break
		}
	}
	if volume == "" {
		volume = names.SimpleNameGenerator.GenerateName(serviceAccountVolumePrefix)
	}
	mount := corev1.VolumeMount{Name: volume, ReadOnly: true, MountPath: defaultAPITokenMountPath}
	needed := false
	for _, containers := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range containers {
			if !slices.ContainsFunc(containers[i].VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == defaultAPITokenMountPath }) {
				containers[i].VolumeMounts = append(containers[i].VolumeMounts, mount)
				needed = true
			}
		}
	}
	if !hasVolume && needed {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{Projected: tokenVolumeSource()}})
	}
}

// tokenVolumeSource is upstream's TokenVolumeSource.
func tokenVolumeSource() *corev1.ProjectedVolumeSource {
	return &corev1.ProjectedVolumeSource{
		DefaultMode: ptr.To[int32](corev1.ProjectedVolumeSourceDefaultMode),
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](warnOnlyBoundTokenExpirationSeconds)}},
			{ConfigMap: &corev1.ConfigMapProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
				Items:                []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}},
			}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{
				Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"},
			}}}},
		},
	}
}

func accountSecrets(sa *corev1.ServiceAccount) sets.Set[string] {
	out := sets.New[string]()
	for _, s := range sa.Secrets {
		out.Insert(s.Name)
	}
	return out
}

// limitSecretReferences refuses secrets the account does not list: in
// secret volumes, containers' env and envFrom, and image pull secrets.
func limitSecretReferences(sa *corev1.ServiceAccount, pod *corev1.Pod) error {
	mountable := accountSecrets(sa)
	for _, v := range pod.Spec.Volumes {
		if v.Secret != nil && !mountable.Has(v.Secret.SecretName) {
			return fmt.Errorf("volume with secret.secretName=\"%s\" is not allowed because service account %s does not reference that secret", v.Secret.SecretName, sa.Name)
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if err := containerSecretsAllowed("init container", c.Name, c.Env, c.EnvFrom, mountable, sa.Name); err != nil {
			return err
		}
	}
	for _, c := range pod.Spec.Containers {
		if err := containerSecretsAllowed("container", c.Name, c.Env, c.EnvFrom, mountable, sa.Name); err != nil {
			return err
		}
	}
	pullSecrets := sets.New[string]()
	for _, s := range sa.ImagePullSecrets {
		pullSecrets.Insert(s.Name)
	}
	for i, ref := range pod.Spec.ImagePullSecrets {
		if !pullSecrets.Has(ref.Name) {
			return fmt.Errorf(`imagePullSecrets[%d].name="%s" is not allowed because service account %s does not reference that imagePullSecret`, i, ref.Name, sa.Name)
		}
	}
	return nil
}

func containerSecretsAllowed(what, name string, env []corev1.EnvVar, envFrom []corev1.EnvFromSource, mountable sets.Set[string], account string) error {
	for _, e := range env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !mountable.Has(e.ValueFrom.SecretKeyRef.Name) {
			return fmt.Errorf("%s %s with envVar %s referencing secret.secretName=\"%s\" is not allowed because service account %s does not reference that secret", what, name, e.Name, e.ValueFrom.SecretKeyRef.Name, account)
		}
	}
	for _, e := range envFrom {
		if e.SecretRef != nil && !mountable.Has(e.SecretRef.Name) {
			return fmt.Errorf("%s %s with envFrom referencing secret.secretName=\"%s\" is not allowed because service account %s does not reference that secret", what, name, e.SecretRef.Name, account)
		}
	}
	return nil
}

// podSecretNames is upstream's VisitPodSecretNames: every secret a pod
// names (pull secrets, containers' env, volumes).
func podSecretNames(pod *corev1.Pod) []string {
	var out []string
	add := func(name string) {
		if name != "" {
			out = append(out, name)
		}
	}
	for _, r := range pod.Spec.ImagePullSecrets {
		add(r.Name)
	}
	visit := func(env []corev1.EnvVar, envFrom []corev1.EnvFromSource) {
		for _, e := range envFrom {
			if e.SecretRef != nil {
				add(e.SecretRef.Name)
			}
		}
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				add(e.ValueFrom.SecretKeyRef.Name)
			}
		}
	}
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		visit(c.Env, c.EnvFrom)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		visit(c.Env, c.EnvFrom)
	}
	ref := func(r *corev1.LocalObjectReference) {
		if r != nil {
			add(r.Name)
		}
	}
	for _, v := range pod.Spec.Volumes {
		switch s := v.VolumeSource; {
		case s.AzureFile != nil:
			add(s.AzureFile.SecretName)
		case s.CephFS != nil:
			ref(s.CephFS.SecretRef)
		case s.Cinder != nil:
			ref(s.Cinder.SecretRef)
		case s.FlexVolume != nil:
			ref(s.FlexVolume.SecretRef)
		case s.Projected != nil:
			for _, p := range s.Projected.Sources {
				if p.Secret != nil {
					add(p.Secret.Name)
				}
			}
		case s.RBD != nil:
			ref(s.RBD.SecretRef)
		case s.Secret != nil:
			add(s.Secret.SecretName)
		case s.ScaleIO != nil:
			ref(s.ScaleIO.SecretRef)
		case s.ISCSI != nil:
			ref(s.ISCSI.SecretRef)
		case s.StorageOS != nil:
			if s.StorageOS.SecretRef != nil {
				add(s.StorageOS.SecretRef.Name)
			}
		case s.CSI != nil:
			ref(s.CSI.NodePublishSecretRef)
		}
	}
	return out
}
