package rbac

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
)

// policyFiles are the RBAC objects of a fresh v1.37.1 kube-apiserver with
// kube-controller-manager running, read a few seconds after start as a
// system:masters user, volatile metadata (uid, resourceVersion, timestamps,
// managedFields) removed, copied unchanged from memkube's reference capture
// (kube-apiserver-1.37/bootstrap): kube-apiserver's bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) with the rules the
// clusterrole-aggregation controller had gathered into admin, edit and view.
//
//go:embed policy/*.json
var policyFiles embed.FS

// Policy is a set of RBAC objects. Namespaced ones carry their namespace.
type Policy struct {
	ClusterRoles        []rbacv1.ClusterRole
	ClusterRoleBindings []rbacv1.ClusterRoleBinding
	Roles               []rbacv1.Role
	RoleBindings        []rbacv1.RoleBinding
}

// BootstrapPolicy returns kube-apiserver's bootstrap policy, a fresh copy
// per call: the default ClusterRoles (cluster-admin, admin, edit, view,
// system:*), their ClusterRoleBindings, and the Roles and RoleBindings of
// kube-system and kube-public, each labelled kubernetes.io/bootstrapping:
// rbac-defaults and annotated rbac.authorization.kubernetes.io/autoupdate:
// "true", in order of name (namespace first). Aggregated ClusterRoles
// (admin, edit, view: those with an aggregationRule) have no rules, as
// kube-apiserver creates them: the clusterrole-aggregation controller
// fills them in.
func BootstrapPolicy() Policy {
	p := aggregatedBootstrapPolicy()
	for i := range p.ClusterRoles {
		if p.ClusterRoles[i].AggregationRule != nil {
			p.ClusterRoles[i].Rules = nil
		}
	}
	return p
}

// aggregatedBootstrapPolicy returns a copy of the bootstrap policy as a
// running cluster has it, once the clusterrole-aggregation controller has
// gathered the rules of admin, edit and view.
func aggregatedBootstrapPolicy() Policy {
	p, err := decodedPolicy()
	if err != nil {
		panic(err) // the embedded files are part of the build; tests decode them
	}
	return p.deepCopy()
}

// decodedPolicy decodes the embedded files once per process; callers
// copy what it returns, which never changes.
var decodedPolicy = sync.OnceValues(func() (Policy, error) {
	var p Policy
	for name, into := range map[string]any{
		"clusterroles.json":        &p.ClusterRoles,
		"clusterrolebindings.json": &p.ClusterRoleBindings,
		"roles.json":               &p.Roles,
		"rolebindings.json":        &p.RoleBindings,
	} {
		raw, err := policyFiles.ReadFile(path.Join("policy", name))
		if err != nil {
			return Policy{}, fmt.Errorf("rbac: read bootstrap policy: %w", err)
		}
		var list struct {
			Items json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return Policy{}, fmt.Errorf("rbac: decode bootstrap policy %s: %w", name, err)
		}
		if err := json.Unmarshal(list.Items, into); err != nil {
			return Policy{}, fmt.Errorf("rbac: decode bootstrap policy %s: %w", name, err)
		}
	}
	return p, nil
})

func (p Policy) deepCopy() Policy {
	var out Policy
	for _, r := range p.ClusterRoles {
		out.ClusterRoles = append(out.ClusterRoles, *r.DeepCopy())
	}
	for _, b := range p.ClusterRoleBindings {
		out.ClusterRoleBindings = append(out.ClusterRoleBindings, *b.DeepCopy())
	}
	for _, r := range p.Roles {
		out.Roles = append(out.Roles, *r.DeepCopy())
	}
	for _, b := range p.RoleBindings {
		out.RoleBindings = append(out.RoleBindings, *b.DeepCopy())
	}
	return out
}

// clusterRolesToAggregate maps roles that became aggregated to the role
// that now holds their own rules (bootstrappolicy.ClusterRolesToAggregate).
var clusterRolesToAggregate = map[string]string{
	"admin": "system:aggregate-to-admin",
	"edit":  "system:aggregate-to-edit",
	"view":  "system:aggregate-to-view",
}

// clusterRoleBindingsToSplit maps a binding that was split to the
// bootstrap binding that takes its subjects (bootstrappolicy.ClusterRoleBindingsToSplit).
var clusterRoleBindingsToSplit = map[string]string{
	"system:discovery": "system:public-info-viewer",
}

// EnsureBootstrapPolicy creates or reconciles the bootstrap policy
// through client, as kube-apiserver's rbac/bootstrap-roles post-start hook:
//
//   - a missing object is created (for a Role or RoleBinding, its namespace
//     first if it can be);
//   - an existing one annotated rbac.authorization.kubernetes.io/autoupdate:
//     "false" is left alone;
//   - otherwise the bootstrap labels and annotations are merged into it,
//     missing rules (missing aggregation selectors, missing subjects) are
//     added and extra ones kept; an aggregationRule the bootstrap role does
//     not have is removed; a binding whose roleRef differs is deleted and
//     created again;
//   - the contents of pre-1.9 admin/edit/view are copied into
//     system:aggregate-to-*, and the subjects of a system:discovery binding
//     into system:public-info-viewer, if those do not exist yet.
//
// It tries every object, retrying conflicts, and returns the errors of the
// objects it could not reconcile (upstream retries those for 30 s, then
// stops the server).
func EnsureBootstrapPolicy(ctx context.Context, client kubernetes.Interface) error {
	p := BootstrapPolicy()
	if err := primeAggregatedClusterRoles(ctx, client); err != nil {
		return fmt.Errorf("prime aggregated clusterroles: %w", err)
	}
	if err := primeSplitClusterRoleBindings(ctx, client, p.ClusterRoleBindings); err != nil {
		return fmt.Errorf("prime split clusterrolebindings: %w", err)
	}
	logger := klog.FromContext(ctx)
	var errs []error
	try := func(kind, namespace, name string, reconcile func() (reconcileResult, error)) {
		var result reconcileResult
		err := retry.OnError(retry.DefaultBackoff, func(err error) bool {
			return apierrors.IsConflict(err) || apierrors.IsServiceUnavailable(err)
		}, func() error {
			var err error
			result, err = reconcile()
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("reconcile %s.%s/%s%s: %w", kind, rbacv1.GroupName, name, inNamespace(namespace), err))
			return
		}
		switch {
		case result.protected && result.operation != reconcileNone:
			logger.Info("Skipped reconcile-protected object with missing permissions", "kind", kind, "namespace", namespace, "name", name, "missing", result.missing)
		case result.operation != reconcileNone:
			logger.V(2).Info("Reconciled bootstrap object", "kind", kind, "namespace", namespace, "name", name, "operation", result.operation)
		}
	}
	// kube-apiserver lists first, to see the storage answers; the lists
	// also stand in for the first read of each object.
	rbacClient := client.RbacV1()
	clusterRoles, err := rbacClient.ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list clusterroles: %w", err)
	}
	clusterRoleBindings, err := rbacClient.ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list clusterrolebindings: %w", err)
	}
	roles, err := rbacClient.Roles(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list roles: %w", err)
	}
	roleBindings, err := rbacClient.RoleBindings(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list rolebindings: %w", err)
	}
	clusterRolesByKey, clusterRoleBindingsByKey := byKey(clusterRoles.Items), byKey(clusterRoleBindings.Items)
	rolesByKey, roleBindingsByKey := byKey(roles.Items), byKey(roleBindings.Items)
	for i := range p.ClusterRoles {
		want := &p.ClusterRoles[i]
		get := firstFrom(clusterRolesByKey, "/"+want.Name, "clusterroles", func() (*rbacv1.ClusterRole, error) {
			return rbacClient.ClusterRoles().Get(ctx, want.Name, metav1.GetOptions{})
		})
		try("clusterrole", "", want.Name, func() (reconcileResult, error) { return reconcileClusterRole(ctx, client, want, get) })
	}
	for i := range p.ClusterRoleBindings {
		want := &p.ClusterRoleBindings[i]
		get := firstFrom(clusterRoleBindingsByKey, "/"+want.Name, "clusterrolebindings", func() (*rbacv1.ClusterRoleBinding, error) {
			return rbacClient.ClusterRoleBindings().Get(ctx, want.Name, metav1.GetOptions{})
		})
		try("clusterrolebinding", "", want.Name, func() (reconcileResult, error) { return reconcileClusterRoleBinding(ctx, client, want, get) })
	}
	for i := range p.Roles {
		want := &p.Roles[i]
		get := firstFrom(rolesByKey, want.Namespace+"/"+want.Name, "roles", func() (*rbacv1.Role, error) {
			return rbacClient.Roles(want.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
		})
		try("role", want.Namespace, want.Name, func() (reconcileResult, error) { return reconcileRole(ctx, client, want, get) })
	}
	for i := range p.RoleBindings {
		want := &p.RoleBindings[i]
		get := firstFrom(roleBindingsByKey, want.Namespace+"/"+want.Name, "rolebindings", func() (*rbacv1.RoleBinding, error) {
			return rbacClient.RoleBindings(want.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
		})
		try("rolebinding", want.Namespace, want.Name, func() (reconcileResult, error) { return reconcileRoleBinding(ctx, client, want, get) })
	}
	return errors.Join(errs...)
}

// HasBootstrapPolicy reports whether the authorizer's caches hold every
// object of the bootstrap policy (by name; not necessarily reconciled).
// After EnsureBootstrapPolicy, a server that waits for it before reporting
// ready authorizes its first requests (discovery for system:authenticated,
// say) as it will later, where kube-apiserver has a short window in which
// its informers lag behind the bootstrap hook.
func (a *Authorizer) HasBootstrapPolicy() bool {
	p, err := decodedPolicy()
	if err != nil {
		return false
	}
	for _, r := range p.ClusterRoles {
		if _, err := a.caches.clusterRoleLister.Get(r.Name); err != nil {
			return false
		}
	}
	for _, b := range p.ClusterRoleBindings {
		if _, err := a.caches.clusterRoleBindingLister.Get(b.Name); err != nil {
			return false
		}
	}
	for _, r := range p.Roles {
		if _, err := a.caches.roleLister.Roles(r.Namespace).Get(r.Name); err != nil {
			return false
		}
	}
	for _, b := range p.RoleBindings {
		if _, err := a.caches.roleBindingLister.RoleBindings(b.Namespace).Get(b.Name); err != nil {
			return false
		}
	}
	return true
}

// byKey indexes listed objects by namespace/name.
func byKey[T any, P interface {
	*T
	GetNamespace() string
	GetName() string
}](items []T) map[string]P {
	out := make(map[string]P, len(items))
	for i := range items {
		p := P(&items[i])
		out[p.GetNamespace()+"/"+p.GetName()] = p
	}
	return out
}

func inNamespace(namespace string) string {
	if namespace == "" {
		return ""
	}
	return " in " + namespace
}

// primeAggregatedClusterRoles copies a role that became aggregated into
// the role that now holds its own rules, when that one does not exist yet
// (a cluster upgraded from before aggregation).
func primeAggregatedClusterRoles(ctx context.Context, client kubernetes.Interface) error {
	roles := client.RbacV1().ClusterRoles()
	for oldName, newName := range clusterRolesToAggregate {
		if _, err := roles.Get(ctx, newName, metav1.GetOptions{}); err == nil {
			continue
		} else if !apierrors.IsNotFound(err) {
			return err
		}
		existing, err := roles.Get(ctx, oldName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if existing.AggregationRule != nil {
			// already aggregated: there are no custom rules to carry over.
			// Upstream stops here for every role, not just this one.
			return nil
		}
		klog.FromContext(ctx).V(1).Info("Migrating clusterrole", "from", existing.Name, "to", newName)
		existing.Name, existing.ResourceVersion = newName, ""
		if _, err := roles.Create(ctx, existing, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// primeSplitClusterRoleBindings creates a bootstrap binding that took over
// from an older one with the older one's subjects, labels and annotations,
// when the older exists and the newer does not.
func primeSplitClusterRoleBindings(ctx context.Context, client kubernetes.Interface, bindings []rbacv1.ClusterRoleBinding) error {
	crbs := client.RbacV1().ClusterRoleBindings()
	for oldName, newName := range clusterRoleBindingsToSplit {
		var template *rbacv1.ClusterRoleBinding
		for i := range bindings {
			if bindings[i].Name == newName {
				template = &bindings[i]
			}
		}
		if template == nil {
			continue
		}
		existing, err := crbs.Get(ctx, oldName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := crbs.Get(ctx, newName, metav1.GetOptions{}); err == nil {
			continue
		} else if !apierrors.IsNotFound(err) {
			return err
		}
		klog.FromContext(ctx).V(1).Info("Copying subjects, labels and annotations of clusterrolebinding", "from", oldName, "to", newName)
		split := template.DeepCopy()
		split.Subjects, split.Labels, split.Annotations = existing.Subjects, existing.Labels, existing.Annotations
		if _, err := crbs.Create(ctx, split, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// AggregatedBootstrapPolicy is the bootstrap policy as a running cluster
// has it once the clusterrole-aggregation controller has run: admin, edit
// and view carry their aggregated rules. A server that writes it straight
// into an empty store starts in the state kube-apiserver and
// kube-controller-manager reach a moment after start.
func AggregatedBootstrapPolicy() Policy { return aggregatedBootstrapPolicy() }
