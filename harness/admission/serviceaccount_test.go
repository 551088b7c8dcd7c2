package admission_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

func TestServiceAccount(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Admission: harness.AdmissionOptions{Enable: []string{"ServiceAccount"}}})
	ctx := t.Context()
	accounts := []*corev1.ServiceAccount{
		{ObjectMeta: metav1.ObjectMeta{Name: "puller"}, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "quiet"}, AutomountServiceAccountToken: ptr.To(false)},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "strict", Annotations: map[string]string{"kubernetes.io/enforce-mountable-secrets": "true"}},
			Secrets:    []corev1.ObjectReference{{Name: "allowed"}},
		},
	}
	for _, sa := range accounts {
		if _, err := c.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// accounts are read from an informer, then looked up live.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		p := pod("probe")
		p.Spec.ServiceAccountName = "strict"
		_, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil, nil
	}); err != nil {
		t.Fatalf("service account strict never usable: %v", err)
	}
	secretVolume := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: name}}}
	}
	for _, tc := range []struct {
		name        string
		pod         func(*corev1.Pod)
		wantAccount string
		wantToken   bool
		wantPull    []corev1.LocalObjectReference
		wantErr     string
	}{
		{name: "no account", pod: func(*corev1.Pod) {}, wantAccount: "default", wantToken: true, wantPull: nil},
		{name: "pull secrets", pod: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "puller" },
			wantAccount: "puller", wantToken: true, wantPull: []corev1.LocalObjectReference{{Name: "registry"}}},
		{name: "account without automount", pod: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "quiet" }, wantAccount: "quiet"},
		{name: "pod without automount", pod: func(p *corev1.Pod) { p.Spec.AutomountServiceAccountToken = ptr.To(false) }, wantAccount: "default"},
		{name: "allowed secret", pod: func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = "strict"
			p.Spec.Volumes = []corev1.Volume{secretVolume("allowed")}
		}, wantAccount: "strict", wantToken: true},
		{name: "other secret", pod: func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = "strict"
			p.Spec.Volumes = []corev1.Volume{secretVolume("other")}
		}, wantErr: `pods "other-secret" is forbidden: volume with secret.secretName="other" is not allowed because service account strict does not reference that secret`},
		{name: "other secret in env", pod: func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = "strict"
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "other"}, Key: "password",
			}}}}
		}, wantErr: `pods "other-secret-in-env" is forbidden: container c with envVar PASSWORD referencing secret.secretName="other" is not allowed because service account strict does not reference that secret`},
		{name: "missing account", pod: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "ghost" },
			wantErr: `pods "missing-account" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found`},
		{name: "mirror pod", pod: func(p *corev1.Pod) {
			// a mirror pod is a kubelet's static pod: it names its node.
			p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
			p.Spec.NodeName = "node-1"
		}},
		{name: "mirror pod with an account", pod: func(p *corev1.Pod) {
			p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
			p.Spec.ServiceAccountName = "puller"
		}, wantErr: `pods "mirror-pod-with-an-account" is forbidden: a mirror pod may not reference service accounts`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := pod(podName(tc.name))
			tc.pod(p)
			got, err := c.CoreV1().Pods("default").Create(t.Context(), p, metav1.CreateOptions{})
			if tc.wantErr != "" {
				wantForbidden(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Spec.ServiceAccountName != tc.wantAccount {
				t.Errorf("got serviceAccountName %q, want %q", got.Spec.ServiceAccountName, tc.wantAccount)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.ImagePullSecrets, tc.wantPull) {
				t.Errorf("got imagePullSecrets %v, want %v", got.Spec.ImagePullSecrets, tc.wantPull)
			}
			var token *corev1.Volume
			for i, v := range got.Spec.Volumes {
				if strings.HasPrefix(v.Name, "kube-api-access-") {
					token = &got.Spec.Volumes[i]
				}
			}
			if (token != nil) != tc.wantToken {
				t.Fatalf("got token volume %v, want one: %v", token, tc.wantToken)
			}
			if token == nil {
				return
			}
			want := corev1.VolumeMount{Name: token.Name, ReadOnly: true, MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"}
			if mounts := got.Spec.Containers[0].VolumeMounts; len(mounts) != 1 || !apiequality.Semantic.DeepEqual(mounts[0], want) {
				t.Errorf("got mounts %v, want %v", mounts, want)
			}
			sources := token.Projected.Sources
			if len(sources) != 3 || sources[0].ServiceAccountToken == nil || *sources[0].ServiceAccountToken.ExpirationSeconds != 3607 ||
				sources[1].ConfigMap == nil || sources[1].ConfigMap.Name != "kube-root-ca.crt" || sources[2].DownwardAPI == nil {
				t.Errorf("got token volume sources %+v", sources)
			}
		})
	}
}

// TestServiceAccountOff: as in envtest, pods keep an empty service account.
func TestServiceAccountOff(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	got, err := c.CoreV1().Pods("default").Create(t.Context(), pod("p"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.ServiceAccountName != "" || len(got.Spec.Volumes) != 0 {
		t.Fatalf("got serviceAccountName %q volumes %v, want none", got.Spec.ServiceAccountName, got.Spec.Volumes)
	}
}
