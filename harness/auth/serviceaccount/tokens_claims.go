package serviceaccount

import (
	"time"

	"gopkg.in/go-jose/go-jose.v2/jwt"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	apiserverserviceaccount "k8s.io/apiserver/pkg/authentication/serviceaccount"
)

// The claims of the tokens TokenRequest issues, as upstream's
// pkg/serviceaccount/claims.go writes them:
//
//	{"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": 1700003600,
//	 "iat": 1700000000, "nbf": 1700000000, "jti": "<uuid>",
//	 "iss": "https://kubernetes.default.svc.cluster.local",
//	 "sub": "system:serviceaccount:default:robot",
//	 "kubernetes.io": {"namespace": "default",
//	   "serviceaccount": {"name": "robot", "uid": "..."},
//	   "pod": {"name": "web", "uid": "..."}, "node": {"name": "n1", "uid": "..."},
//	   "warnafter": 1700003607}}
//
// The features that decide some of them (ServiceAccountTokenJTI,
// ServiceAccountTokenPodNodeInfo, ServiceAccountTokenNodeBinding) are GA
// and locked on in v1.37, so they are always written.

// WarnOnlyBoundTokenExpirationSeconds is the lifetime kubelet asks for its
// projected tokens; kube-apiserver extends such pod-bound tokens to
// ExpirationExtensionSeconds and records when the requested time passed.
const (
	WarnOnlyBoundTokenExpirationSeconds = 60*60 + 7
	ExpirationExtensionSeconds          = 24 * 365 * 60 * 60
)

type privateClaims struct {
	Kubernetes kubernetesClaims `json:"kubernetes.io,omitempty"`
}

type kubernetesClaims struct {
	Namespace string `json:"namespace,omitempty"`
	Svcacct   ref    `json:"serviceaccount,omitempty"`
	Pod       *ref   `json:"pod,omitempty"`
	Secret    *ref   `json:"secret,omitempty"`
	Node      *ref   `json:"node,omitempty"`
	// WarnAfter is when a token extended past the lifetime it was asked
	// for should have expired.
	WarnAfter *jwt.NumericDate `json:"warnafter,omitempty"`
}

type ref struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// boundObjects are the objects a token is bound to: a pod (and the node
// it runs on, if any), a secret, or a node.
type boundObjects struct {
	pod    *corev1.Pod
	secret *corev1.Secret
	node   *corev1.Node
}

// claims are the public and private claims of a token of sa issued at now.
func claims(sa *corev1.ServiceAccount, bound boundObjects, now time.Time, expirationSeconds, warnAfter int64, audiences []string) (*jwt.Claims, *privateClaims) {
	public := &jwt.Claims{
		Subject:   apiserverserviceaccount.MakeUsername(sa.Namespace, sa.Name),
		Audience:  jwt.Audience(audiences),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(now.Add(time.Duration(expirationSeconds) * time.Second)),
		ID:        string(uuid.NewUUID()),
	}
	private := &privateClaims{Kubernetes: kubernetesClaims{
		Namespace: sa.Namespace,
		Svcacct:   ref{Name: sa.Name, UID: string(sa.UID)},
	}}
	switch {
	case bound.pod != nil:
		private.Kubernetes.Pod = &ref{Name: bound.pod.Name, UID: string(bound.pod.UID)}
		if bound.node != nil {
			private.Kubernetes.Node = &ref{Name: bound.node.Name, UID: string(bound.node.UID)}
		}
	case bound.secret != nil:
		private.Kubernetes.Secret = &ref{Name: bound.secret.Name, UID: string(bound.secret.UID)}
	case bound.node != nil:
		private.Kubernetes.Node = &ref{Name: bound.node.Name, UID: string(bound.node.UID)}
	}
	if warnAfter != 0 {
		private.Kubernetes.WarnAfter = jwt.NewNumericDate(now.Add(time.Duration(warnAfter) * time.Second))
	}
	return public, private
}

// legacyPrivateClaims are the claims of a service account token Secret's
// token, upstream's pkg/serviceaccount/legacy.go.
type legacyPrivateClaims struct {
	ServiceAccountName string `json:"kubernetes.io/serviceaccount/service-account.name"`
	ServiceAccountUID  string `json:"kubernetes.io/serviceaccount/service-account.uid"`
	SecretName         string `json:"kubernetes.io/serviceaccount/secret.name"`
	Namespace          string `json:"kubernetes.io/serviceaccount/namespace"`
}

// LegacyToken is the token kube-controller-manager's token controller puts
// in secret, a kubernetes.io/service-account-token Secret of sa: it names
// both, has no audience and never expires.
func (t *Tokens) LegacyToken(sa *corev1.ServiceAccount, secret *corev1.Secret) (string, error) {
	return t.sign(LegacyIssuer, &jwt.Claims{Subject: apiserverserviceaccount.MakeUsername(sa.Namespace, sa.Name)}, &legacyPrivateClaims{
		Namespace:          sa.Namespace,
		ServiceAccountName: sa.Name,
		ServiceAccountUID:  string(sa.UID),
		SecretName:         secret.Name,
	})
}
