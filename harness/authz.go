package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	authorizationcel "k8s.io/apiserver/pkg/authorization/cel"
	"k8s.io/apiserver/pkg/authorization/union"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	webhookauthorizer "k8s.io/apiserver/plugin/pkg/authorizer/webhook"
	webhookmetrics "k8s.io/apiserver/plugin/pkg/authorizer/webhook/metrics"
	"k8s.io/client-go/informers"

	"github.com/memkube/memkube/harness/auth/node"
	"github.com/memkube/memkube/harness/auth/rbac"
)

// The authorization modes memkube has (kube-apiserver's names).
const (
	ModeAlwaysAllow = "AlwaysAllow"
	ModeAlwaysDeny  = "AlwaysDeny"
	ModeRBAC        = "RBAC"
	ModeWebhook     = "Webhook"
	ModeNode        = "Node"
)

// authorizationModes are kube-apiserver's; ABAC is known, and refused as
// unavailable.
var authorizationModes = []string{ModeAlwaysAllow, ModeAlwaysDeny, "ABAC", ModeWebhook, ModeRBAC, ModeNode}

// newAuthorizer builds kube-apiserver's authorizer for opts
// (pkg/kubeapiserver/authorizer): system:masters first, then each mode in
// order, under kube-apiserver's names; the union of their rule
// resolvers, for SelfSubjectRulesReview; and whether the authorizers'
// informers of factory (mode Node's graph) have synced, which the server
// waits for before it is ready. RBAC's informers are rbacAuthz's.
func newAuthorizer(opts AuthOptions, rbacAuthz *rbac.Authorizer, factory informers.SharedInformerFactory) (authorizer.Authorizer, authorizer.RuleResolver, func() bool, error) {
	modes := opts.AuthorizationModes
	if len(modes) == 0 {
		modes = []string{ModeRBAC}
	}
	if err := validateModes(modes, opts.AuthorizationWebhook); err != nil {
		return nil, nil, nil, err
	}
	synced := func() bool { return true }
	authorizers := []union.NamedAuthorizer{{
		AuthorizerName: "kubernetes.io/system-privileged-group",
		Authorizer:     authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup),
	}}
	var resolvers []authorizer.RuleResolver
	for _, mode := range modes {
		var a interface {
			authorizer.Authorizer
			authorizer.RuleResolver
		}
		switch mode {
		case ModeAlwaysAllow:
			a = authorizerfactory.NewAlwaysAllowAuthorizer()
		case ModeAlwaysDeny:
			a = authorizerfactory.NewAlwaysDenyAuthorizer()
		case ModeRBAC:
			a = rbacAuthz
		case ModeNode:
			nodeAuthz, err := node.NewAuthorizer(factory)
			if err != nil {
				return nil, nil, nil, err
			}
			a, synced = nodeAuthz, nodeAuthz.HasSynced
		case ModeWebhook:
			w := opts.AuthorizationWebhook
			cfg, err := w.clientConfig()
			if err != nil {
				return nil, nil, nil, fmt.Errorf("authorization webhook: %w", err)
			}
			// kube-apiserver's legacy flags become a webhook of this timeout
			// and failure policy NoOpinion.
			cfg.Timeout = 30 * time.Second
			if a, err = webhookauthorizer.New(cfg, reviewVersion(w.Version),
				defaultTTL(w.AuthorizedTTL, 5*time.Minute), defaultTTL(w.UnauthorizedTTL, 30*time.Second),
				*genericoptions.DefaultAuthWebhookRetryBackoff(), authorizer.DecisionNoOpinion, nil, "webhook",
				webhookmetrics.NoopAuthorizerMetrics{}, authorizationcel.NewDefaultCompiler()); err != nil {
				return nil, nil, nil, fmt.Errorf("authorization webhook: %w", err)
			}
		}
		authorizers = append(authorizers, union.NamedAuthorizer{AuthorizerName: strings.ToLower(mode), Authorizer: a})
		resolvers = append(resolvers, a)
	}
	authz, err := union.New(authorizers...)
	if err != nil {
		return nil, nil, nil, err
	}
	return authz, union.NewRuleResolvers(resolvers...), synced, nil
}

// validateModes is kube-apiserver's validation of --authorization-mode,
// with its messages, and memkube's refusal of ABAC.
func validateModes(modes []string, webhook AuthorizationWebhook) error {
	var errs []error
	for _, mode := range modes {
		switch {
		case !slices.Contains(authorizationModes, mode):
			errs = append(errs, fmt.Errorf("authorization-mode %q is not a valid mode", mode))
		case mode == "ABAC":
			errs = append(errs, fmt.Errorf("authorization-mode %q is not available in memkube (its authorizer is in k8s.io/kubernetes)", mode))
		case mode == ModeWebhook && webhook.KubeconfigFile == "" && webhook.Config == nil:
			errs = append(errs, errors.New("authorization-mode Webhook's authorization config file not passed"))
		}
	}
	if !slices.Contains(modes, ModeWebhook) && (webhook.KubeconfigFile != "" || webhook.Config != nil) {
		errs = append(errs, errors.New("cannot specify --authorization-webhook-config-file without mode Webhook"))
	}
	if seen := slices.Compact(slices.Sorted(slices.Values(modes))); len(seen) != len(modes) {
		errs = append(errs, fmt.Errorf("authorization-mode %q has mode specified more than once", modes))
	}
	return errors.Join(errs...)
}
