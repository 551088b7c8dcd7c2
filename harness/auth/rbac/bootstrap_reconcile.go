package rbac

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The reconciliation of one bootstrap object follows component-helpers'
// auth/rbac/reconciliation in its union mode (RemoveExtraPermissions and
// RemoveExtraSubjects false, as the bootstrap hook runs it): what exists
// keeps its extra rules and subjects and gains the missing ones.

// reconcileOperation is what reconciling an object did.
type reconcileOperation string

const (
	reconcileCreate   reconcileOperation = "create"
	reconcileUpdate   reconcileOperation = "update"
	reconcileRecreate reconcileOperation = "recreate"
	reconcileNone     reconcileOperation = "none"
)

// reconcileResult is the outcome for one object. A protected object
// (autoupdate "false") is not written whatever operation it would need.
type reconcileResult struct {
	operation reconcileOperation
	protected bool
	// missing are the rules or subjects the object lacked, for the log.
	missing any
}

// errTooManyAttempts: the object kept appearing and disappearing.
var errTooManyAttempts = errors.New("exceeded maximum attempts")

// roleContent is what reconciliation compares of a Role or ClusterRole.
type roleContent struct {
	labels, annotations map[string]string
	rules               []rbacv1.PolicyRule
	aggregationRule     *rbacv1.AggregationRule
}

// reconcileRoleContent returns existing with what expected adds:
// expected's labels and annotations under existing's, the rules existing
// does not cover (broken down to one verb and resource each), the
// aggregation selectors it lacks; an aggregationRule expected does not
// have is dropped. Extra rules of an aggregated role are not computed.
func reconcileRoleContent(existing, expected roleContent) (roleContent, reconcileResult) {
	out := existing
	result := reconcileResult{operation: reconcileNone, protected: existing.annotations[rbacv1.AutoUpdateAnnotationKey] == "false"}
	out.annotations = merge(expected.annotations, existing.annotations)
	if !reflect.DeepEqual(out.annotations, existing.annotations) {
		result.operation = reconcileUpdate
	}
	out.labels = merge(expected.labels, existing.labels)
	if !reflect.DeepEqual(out.labels, existing.labels) {
		result.operation = reconcileUpdate
	}
	_, missing := covers(existing.rules, expected.rules)
	if len(missing) > 0 {
		out.rules = append(slices.Clone(existing.rules), missing...)
		result.operation = reconcileUpdate
		result.missing = missing
	}
	switch missingSelectors := uncoveredSelectors(existing.aggregationRule, expected.aggregationRule); {
	case expected.aggregationRule == nil && existing.aggregationRule != nil:
		out.aggregationRule = nil
		result.operation = reconcileUpdate
	case len(missingSelectors) > 0:
		rule := &rbacv1.AggregationRule{}
		if existing.aggregationRule != nil {
			rule = existing.aggregationRule.DeepCopy()
		}
		rule.ClusterRoleSelectors = append(rule.ClusterRoleSelectors, missingSelectors...)
		out.aggregationRule = rule
		result.operation = reconcileUpdate
	}
	return out, result
}

// uncoveredSelectors returns the selectors of servant that owner lacks
// (compared semantically); none if servant is nil.
func uncoveredSelectors(owner, servant *rbacv1.AggregationRule) []metav1.LabelSelector {
	if servant == nil {
		return nil
	}
	if owner == nil {
		return servant.ClusterRoleSelectors
	}
	var out []metav1.LabelSelector
	for _, s := range servant.ClusterRoleSelectors {
		if !slices.ContainsFunc(owner.ClusterRoleSelectors, func(o metav1.LabelSelector) bool { return equality.Semantic.DeepEqual(o, s) }) {
			out = append(out, s)
		}
	}
	return out
}

// merge combines maps, later ones winning; nil if all are.
func merge(ms ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range ms {
		if m != nil && out == nil {
			out = map[string]string{}
		}
		maps.Copy(out, m)
	}
	return out
}

// The reconcile functions read the existing object with get, which may
// answer its first call from a list (see firstFrom).

func reconcileClusterRole(ctx context.Context, client kubernetes.Interface, want *rbacv1.ClusterRole, get func() (*rbacv1.ClusterRole, error)) (reconcileResult, error) {
	roles := client.RbacV1().ClusterRoles()
	for range 3 {
		existing, err := get()
		if apierrors.IsNotFound(err) {
			_, err := roles.Create(ctx, want.DeepCopy(), metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				continue
			}
			return reconcileResult{operation: reconcileCreate, missing: want.Rules}, err
		}
		if err != nil {
			return reconcileResult{}, err
		}
		content, result := reconcileRoleContent(
			roleContent{existing.Labels, existing.Annotations, existing.Rules, existing.AggregationRule},
			roleContent{want.Labels, want.Annotations, want.Rules, want.AggregationRule})
		if result.protected || result.operation == reconcileNone {
			return result, nil
		}
		updated := existing.DeepCopy()
		updated.Labels, updated.Annotations, updated.Rules, updated.AggregationRule = content.labels, content.annotations, content.rules, content.aggregationRule
		_, err = roles.Update(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		return result, err
	}
	return reconcileResult{}, errTooManyAttempts
}

func reconcileRole(ctx context.Context, client kubernetes.Interface, want *rbacv1.Role, get func() (*rbacv1.Role, error)) (reconcileResult, error) {
	roles := client.RbacV1().Roles(want.Namespace)
	for range 3 {
		existing, err := get()
		if apierrors.IsNotFound(err) {
			if err := tryEnsureNamespace(ctx, client, want.Namespace); err != nil {
				return reconcileResult{}, err
			}
			_, err := roles.Create(ctx, want.DeepCopy(), metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				continue
			}
			return reconcileResult{operation: reconcileCreate, missing: want.Rules}, err
		}
		if err != nil {
			return reconcileResult{}, err
		}
		content, result := reconcileRoleContent(
			roleContent{labels: existing.Labels, annotations: existing.Annotations, rules: existing.Rules},
			roleContent{labels: want.Labels, annotations: want.Annotations, rules: want.Rules})
		if result.protected || result.operation == reconcileNone {
			return result, nil
		}
		updated := existing.DeepCopy()
		updated.Labels, updated.Annotations, updated.Rules = content.labels, content.annotations, content.rules
		_, err = roles.Update(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		return result, err
	}
	return reconcileResult{}, errTooManyAttempts
}

// bindingContent is what reconciliation compares of a RoleBinding or
// ClusterRoleBinding.
type bindingContent struct {
	labels, annotations map[string]string
	roleRef             rbacv1.RoleRef
	subjects            []rbacv1.Subject
}

// reconcileBindingContent returns existing with expected's labels and
// annotations under its own and the subjects it lacks; or, if the roleRef
// differs (which cannot be updated), expected, to be created again.
func reconcileBindingContent(existing, expected bindingContent) (bindingContent, reconcileResult) {
	result := reconcileResult{operation: reconcileNone, protected: existing.annotations[rbacv1.AutoUpdateAnnotationKey] == "false"}
	if existing.roleRef != expected.roleRef {
		result.operation = reconcileRecreate
		return expected, result
	}
	out := existing
	out.annotations = merge(expected.annotations, existing.annotations)
	if !reflect.DeepEqual(out.annotations, existing.annotations) {
		result.operation = reconcileUpdate
	}
	out.labels = merge(expected.labels, existing.labels)
	if !reflect.DeepEqual(out.labels, existing.labels) {
		result.operation = reconcileUpdate
	}
	var missing []rbacv1.Subject
	for _, s := range expected.subjects {
		if !slices.Contains(existing.subjects, s) && !slices.Contains(missing, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		out.subjects = append(slices.Clone(existing.subjects), missing...)
		result.operation = reconcileUpdate
		result.missing = missing
	}
	return out, result
}

// bindingAPI is what reconciling a binding kind needs: its typed client,
// and how to read and write its content.
type bindingAPI[T interface {
	*rbacv1.ClusterRoleBinding | *rbacv1.RoleBinding
	metav1.Object
}] struct {
	create  func(context.Context, T, metav1.CreateOptions) (T, error)
	update  func(context.Context, T, metav1.UpdateOptions) (T, error)
	delete  func(context.Context, string, metav1.DeleteOptions) error
	content func(T) bindingContent
	// withContent returns a copy of the binding with content's labels,
	// annotations and subjects.
	withContent func(T, bindingContent) T
	copy        func(T) T
	// beforeCreate runs before a create (ensuring a namespace exists).
	beforeCreate func(context.Context) error
}

func reconcileClusterRoleBinding(ctx context.Context, client kubernetes.Interface, want *rbacv1.ClusterRoleBinding, get func() (*rbacv1.ClusterRoleBinding, error)) (reconcileResult, error) {
	c := client.RbacV1().ClusterRoleBindings()
	return reconcileBinding(ctx, bindingAPI[*rbacv1.ClusterRoleBinding]{
		create: c.Create, update: c.Update, delete: c.Delete,
		content: func(b *rbacv1.ClusterRoleBinding) bindingContent {
			return bindingContent{b.Labels, b.Annotations, b.RoleRef, b.Subjects}
		},
		withContent: func(b *rbacv1.ClusterRoleBinding, content bindingContent) *rbacv1.ClusterRoleBinding {
			b = b.DeepCopy()
			b.Labels, b.Annotations, b.Subjects = content.labels, content.annotations, content.subjects
			return b
		},
		copy:         (*rbacv1.ClusterRoleBinding).DeepCopy,
		beforeCreate: func(context.Context) error { return nil },
	}, want, get)
}

func reconcileRoleBinding(ctx context.Context, client kubernetes.Interface, want *rbacv1.RoleBinding, get func() (*rbacv1.RoleBinding, error)) (reconcileResult, error) {
	c := client.RbacV1().RoleBindings(want.Namespace)
	return reconcileBinding(ctx, bindingAPI[*rbacv1.RoleBinding]{
		create: c.Create, update: c.Update, delete: c.Delete,
		content: func(b *rbacv1.RoleBinding) bindingContent {
			return bindingContent{b.Labels, b.Annotations, b.RoleRef, b.Subjects}
		},
		withContent: func(b *rbacv1.RoleBinding, content bindingContent) *rbacv1.RoleBinding {
			b = b.DeepCopy()
			b.Labels, b.Annotations, b.Subjects = content.labels, content.annotations, content.subjects
			return b
		},
		copy:         (*rbacv1.RoleBinding).DeepCopy,
		beforeCreate: func(ctx context.Context) error { return tryEnsureNamespace(ctx, client, want.Namespace) },
	}, want, get)
}

// reconcileBinding brings one bootstrap binding to what want says, as
// upstream: update missing subjects, recreate when the roleRef changed (it
// is immutable), create when absent; retried when the object changes under it.
func reconcileBinding[T interface {
	*rbacv1.ClusterRoleBinding | *rbacv1.RoleBinding
	metav1.Object
}](ctx context.Context, api bindingAPI[T], want T, get func() (T, error)) (reconcileResult, error) {
	for range 4 {
		existing, err := get()
		create := apierrors.IsNotFound(err)
		var result reconcileResult
		if !create {
			if err != nil {
				return reconcileResult{}, err
			}
			var content bindingContent
			content, result = reconcileBindingContent(api.content(existing), api.content(want))
			if result.protected || result.operation == reconcileNone {
				return result, nil
			}
			if result.operation == reconcileUpdate {
				_, err = api.update(ctx, api.withContent(existing, content), metav1.UpdateOptions{})
				if apierrors.IsNotFound(err) {
					continue
				}
				return result, err
			}
			// recreate: delete this very object, then create.
			uid := existing.GetUID()
			err := api.delete(ctx, existing.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if apierrors.IsConflict(err) {
				continue // another object of that name now
			}
			if err != nil && !apierrors.IsNotFound(err) {
				return reconcileResult{}, err
			}
		} else {
			result = reconcileResult{operation: reconcileCreate, missing: api.content(want).subjects}
		}
		if err := api.beforeCreate(ctx); err != nil {
			return reconcileResult{}, err
		}
		_, err = api.create(ctx, api.copy(want), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		return result, err
	}
	return reconcileResult{}, errTooManyAttempts
}

// firstFrom returns a getter of one object whose first call answers from
// listed (a list read just before: absent means not found), and later
// calls (after a conflict, or when the object changed under the
// reconciliation) with get. kube-apiserver gets each object; one list per
// kind saves a request per object, with the same outcome.
func firstFrom[T any](listed map[string]T, key string, resource string, get func() (T, error)) func() (T, error) {
	first := true
	return func() (T, error) {
		if !first {
			return get()
		}
		first = false
		obj, ok := listed[key]
		if !ok {
			_, name, _ := strings.Cut(key, "/")
			var zero T
			return zero, apierrors.NewNotFound(rbacv1.Resource(resource), name)
		}
		return obj, nil
	}
}

// tryEnsureNamespace creates namespace if it is missing, as far as the
// client may: not found and forbidden on get, already exists and forbidden
// on create are not errors.
func tryEnsureNamespace(ctx context.Context, client kubernetes.Interface, namespace string) error {
	namespaces := client.CoreV1().Namespaces()
	_, err := namespaces.Get(ctx, namespace, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
		return err
	}
	_, err = namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) && !apierrors.IsForbidden(err) {
		return err
	}
	return nil
}
