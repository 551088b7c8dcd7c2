package serviceaccount

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/go-jose/go-jose.v2/jwt"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	apiserverserviceaccount "k8s.io/apiserver/pkg/authentication/serviceaccount"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/klog/v2"
)

// errNotReady is returned before SetObjects: the server is not serving yet.
var errNotReady = errors.New("serviceaccount: service account token lookups are not ready")

// Authenticator authenticates the tokens TokenRequest issued (issuer
// Issuer()), as kube-apiserver's service account authenticator with
// --service-account-lookup: the token must be signed by this server, not
// expired on the server clock, meant for one of the requested audiences
// (the API audiences by default), and its service account and bound object
// must still exist with the uids it names, not deleted for more than a
// minute.
func (t *Tokens) Authenticator() authenticator.Token {
	return &jwtAuthenticator[privateClaims]{tokens: t, issuer: t.issuer, validate: t.validate}
}

// LegacyAuthenticator authenticates the tokens of service account token
// Secrets (issuer LegacyIssuer): the Secret must still hold the token and
// the service account exist with the uid it names. A use labels the Secret
// kubernetes.io/legacy-token-last-used with the day's date, as upstream.
func (t *Tokens) LegacyAuthenticator() authenticator.Token {
	return &jwtAuthenticator[legacyPrivateClaims]{tokens: t, issuer: LegacyIssuer, validate: t.validateLegacy}
}

// jwtAuthenticator is upstream's jwtTokenAuthenticator for one issuer and
// the server's one key.
type jwtAuthenticator[P any] struct {
	tokens   *Tokens
	issuer   string
	validate func(ctx context.Context, objects *Objects, tokenData string, public *jwt.Claims, private *P) (*apiserverserviceaccount.ServiceAccountInfo, error)
}

func (a *jwtAuthenticator[P]) AuthenticateToken(ctx context.Context, tokenData string) (*authenticator.Response, bool, error) {
	if !hasIssuer(tokenData, a.issuer) {
		return nil, false, nil
	}
	tok, err := jwt.ParseSigned(tokenData)
	if err != nil {
		return nil, false, nil
	}
	for _, h := range tok.Headers {
		if h.KeyID != "" {
			if h.KeyID != a.tokens.keyID {
				return nil, false, errors.New("invalid signature, no keys found")
			}
			break
		}
	}
	public, private := &jwt.Claims{}, new(P)
	if err := tok.Claims(&a.tokens.key.PublicKey, public, private); err != nil {
		return nil, false, err
	}
	// the issuer was read before the signature was checked.
	if public.Issuer != a.issuer {
		return nil, false, fmt.Errorf("token issuer %q is invalid", public.Issuer)
	}
	implicit := a.tokens.audiences
	tokenAudiences := authenticator.Audiences(public.Audience)
	if len(tokenAudiences) == 0 {
		// only the API audiences accept tokens without any (legacy tokens).
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/legacy-token", public.Subject)
		tokenAudiences = implicit
	}
	requested, ok := authenticator.AudiencesFrom(ctx)
	if !ok {
		requested = implicit
	}
	auds := tokenAudiences.Intersect(requested)
	if len(auds) == 0 && len(implicit) != 0 {
		return nil, false, fmt.Errorf("token audiences %q is invalid for the target audiences %q", tokenAudiences, requested)
	}
	objects := a.tokens.objects.Load()
	if objects == nil {
		return nil, false, errNotReady
	}
	sa, err := a.validate(ctx, objects, tokenData, public, private)
	if err != nil {
		return nil, false, err
	}
	return &authenticator.Response{User: sa.UserInfo(), Audiences: auds}, true, nil
}

// hasIssuer reports whether tokenData is a compact JWT whose (unverified)
// "iss" is issuer.
func hasIssuer(tokenData, issuer string) bool {
	if strings.HasPrefix(strings.TrimSpace(tokenData), "{") {
		return false
	}
	parts := strings.Split(tokenData, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Issuer string `json:"iss"`
	}
	return json.Unmarshal(payload, &claims) == nil && claims.Issuer == issuer
}

// validate is upstream's validator of bound tokens (pkg/serviceaccount/claims.go).
func (t *Tokens) validate(ctx context.Context, objects *Objects, _ string, public *jwt.Claims, private *privateClaims) (*apiserverserviceaccount.ServiceAccountInfo, error) {
	now := t.clock.Now()
	switch err := public.Validate(jwt.Expected{Time: now}); {
	case err == nil:
	case errors.Is(err, jwt.ErrExpired):
		return nil, errors.New("service account token has expired")
	case errors.Is(err, jwt.ErrNotValidYet):
		return nil, errors.New("service account token is not valid yet")
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, errors.New("service account token is issued in the future")
	default:
		return nil, errors.New("service account token claims could not be validated due to unexpected validation error")
	}
	// things deleted before now minus the leeway are gone.
	deletedBefore := now.Add(-jwt.DefaultLeeway)
	gone := func(m metav1.Object) bool {
		return m.GetDeletionTimestamp() != nil && m.GetDeletionTimestamp().Time.Before(deletedBefore)
	}
	k := private.Kubernetes
	namespace := k.Namespace
	sa, err := getServiceAccount(ctx, objects, namespace, k.Svcacct.Name)
	if err != nil {
		return nil, err
	}
	if string(sa.UID) != k.Svcacct.UID {
		return nil, fmt.Errorf("service account UID (%s) does not match claim (%s)", sa.UID, k.Svcacct.UID)
	}
	if gone(sa) {
		return nil, fmt.Errorf("service account %s/%s has been deleted", namespace, k.Svcacct.Name)
	}
	if r := k.Secret; r != nil {
		secret, err := get[*corev1.Secret](ctx, objects.Secrets, "secrets", namespace, r.Name)
		if err != nil {
			return nil, errors.New("service account token has been invalidated")
		}
		if r.UID != string(secret.UID) {
			return nil, fmt.Errorf("secret UID (%s) does not match service account secret ref claim (%s)", secret.UID, r.UID)
		}
		if gone(secret) {
			return nil, errors.New("service account token has been invalidated")
		}
	}
	info := &apiserverserviceaccount.ServiceAccountInfo{Namespace: namespace, Name: k.Svcacct.Name, UID: k.Svcacct.UID}
	if r := k.Pod; r != nil {
		pod, err := get[*corev1.Pod](ctx, objects.Pods, "pods", namespace, r.Name)
		if err != nil {
			return nil, errors.New("service account token has been invalidated")
		}
		if r.UID != string(pod.UID) {
			return nil, fmt.Errorf("pod UID (%s) does not match service account pod ref claim (%s)", pod.UID, r.UID)
		}
		if gone(pod) {
			return nil, errors.New("service account token has been invalidated")
		}
		info.PodName, info.PodUID = r.Name, r.UID
	}
	if r := k.Node; r != nil {
		if k.Pod == nil {
			// a token bound to the node itself needs the node.
			node, err := get[*corev1.Node](ctx, objects.Nodes, "nodes", "", r.Name)
			if err != nil {
				return nil, errors.New("service account token has been invalidated")
			}
			if r.UID != string(node.UID) {
				return nil, fmt.Errorf("node UID (%s) does not match service account node ref claim (%s)", node.UID, r.UID)
			}
			if gone(node) {
				return nil, errors.New("service account token has been invalidated")
			}
		}
		info.NodeName, info.NodeUID = r.Name, r.UID
	}
	if w := k.WarnAfter; w != nil && *w != 0 && now.After(w.Time()) {
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/stale-token",
			fmt.Sprintf("subject: %s, seconds after warning threshold: %d", public.Subject, now.Unix()-w.Time().Unix()))
	}
	if public.ID != "" {
		info.CredentialID = "JTI=" + public.ID
	}
	return info, nil
}

// invalidSinceLabel marks a Secret whose legacy token must not be used;
// lastUsedLabel is the day its token was last used.
const (
	invalidSinceLabel = "kubernetes.io/legacy-token-invalid-since"
	lastUsedLabel     = "kubernetes.io/legacy-token-last-used"
)

// validateLegacy is upstream's legacyValidator with lookup on.
func (t *Tokens) validateLegacy(ctx context.Context, objects *Objects, tokenData string, public *jwt.Claims, private *legacyPrivateClaims) (*apiserverserviceaccount.ServiceAccountInfo, error) {
	switch {
	case public.Subject == "":
		return nil, errors.New("sub claim is missing")
	case private.Namespace == "":
		return nil, errors.New("namespace claim is missing")
	case private.SecretName == "":
		return nil, errors.New("secretName claim is missing")
	case private.ServiceAccountName == "":
		return nil, errors.New("serviceAccountName claim is missing")
	case private.ServiceAccountUID == "":
		return nil, errors.New("serviceAccountUID claim is missing")
	}
	namespace, name := private.Namespace, private.ServiceAccountName
	if ns, n, err := apiserverserviceaccount.SplitUsername(public.Subject); err != nil || ns != namespace || n != name {
		return nil, errors.New("sub claim is invalid")
	}
	secret, err := get[*corev1.Secret](ctx, objects.Secrets, "secrets", namespace, private.SecretName)
	if err != nil || secret.DeletionTimestamp != nil {
		return nil, errors.New("Token has been invalidated") //nolint:staticcheck // upstream's message
	}
	if subtle.ConstantTimeCompare(secret.Data[corev1.ServiceAccountTokenKey], []byte(tokenData)) == 0 {
		return nil, errors.New("Token does not match server's copy") //nolint:staticcheck // upstream's message
	}
	sa, err := getServiceAccount(ctx, objects, namespace, name)
	if err != nil {
		return nil, err
	}
	if sa.DeletionTimestamp != nil {
		return nil, fmt.Errorf("ServiceAccount %s/%s has been deleted", namespace, name)
	}
	if string(sa.UID) != private.ServiceAccountUID {
		return nil, fmt.Errorf("ServiceAccount UID (%s) does not match claim (%s)", sa.UID, private.ServiceAccountUID)
	}
	if secret.Labels[invalidSinceLabel] != "" {
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/legacy-token-invalidated", secret.Name+"/"+secret.Namespace)
		t.markUsed(objects, secret)
		return nil, fmt.Errorf("the token in secret %s/%s for service account %s/%s has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '%s' label from the secret to temporarily allow use of this token",
			namespace, secret.Name, namespace, name, invalidSinceLabel)
	}
	autoGenerated := false
	for _, r := range sa.Secrets {
		if r.Name == secret.Name {
			autoGenerated = true
			warning.AddWarning(ctx, "", "Use tokens from the TokenRequest API or manually created secret-based tokens instead of auto-generated secret-based tokens.")
			audit.AddAuditAnnotation(ctx, "authentication.k8s.io/legacy-token-autogenerated-secret", secret.Name)
			break
		}
	}
	if !autoGenerated {
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/legacy-token-manual-secret", secret.Name)
	}
	t.markUsed(objects, secret)
	return &apiserverserviceaccount.ServiceAccountInfo{Namespace: namespace, Name: name, UID: private.ServiceAccountUID}, nil
}

// markUsed labels secret with today's date (UTC, server clock) unless it
// says today or tomorrow already; a failure is logged, as upstream.
func (t *Tokens) markUsed(objects *Objects, secret *corev1.Secret) {
	now := t.clock.Now().UTC()
	today, tomorrow := now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)
	if last := secret.Labels[lastUsedLabel]; last == today || last == tomorrow || objects.SecretsWriter == nil {
		return
	}
	patch, err := json.Marshal(applycorev1.Secret(secret.Name, secret.Namespace).WithUID(secret.UID).WithLabels(map[string]string{lastUsedLabel: today}))
	if err == nil {
		// not the request's context: the patch is a request of its own,
		// which must not inherit the user and request info of this one.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = objects.SecretsWriter.Secrets(secret.Namespace).Patch(ctx, secret.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	}
	if err != nil {
		klog.ErrorS(err, "Failed to label legacy service account token with last-used date", "secret", klog.KObj(secret))
	}
}

func getServiceAccount(ctx context.Context, objects *Objects, namespace, name string) (*corev1.ServiceAccount, error) {
	return get[*corev1.ServiceAccount](ctx, objects.ServiceAccounts, "serviceaccounts", namespace, name)
}

// get reads namespace/name from registry g of a core/v1 resource
// (namespace "" for cluster-scoped kinds), straight from storage. The
// context says what is read, as upstream's newContext: the registry names
// the resource of the request in its errors (`pods "web" not found`).
func get[T any](ctx context.Context, g rest.Getter, resource, namespace, name string) (T, error) {
	var zero T
	ctx = genericapirequest.WithNamespace(ctx, namespace)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "get", APIVersion: "v1",
		Namespace: namespace, Resource: resource, Name: name, Parts: []string{resource, name},
	})
	obj, err := g.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return zero, err
	}
	out, ok := obj.(T)
	if !ok {
		return zero, fmt.Errorf("serviceaccount: registry returned %T, want %T", obj, zero)
	}
	return out, nil
}
