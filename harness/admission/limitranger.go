package admission

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/lru"
)

// LimitRangerPluginName is the name of the plugin that applies a
// namespace's LimitRanges to pods and claims.
const LimitRangerPluginName = "LimitRanger"

// limitRangerAnnotation on a pod lists the defaults the plugin set.
const limitRangerAnnotation = "kubernetes.io/limit-ranger"

// limitRanger is upstream's limitranger plugin, for every LimitRange in the
// request's namespace:
//
//   - mutating, new pods: a container (or init container) without a
//     request or limit of a resource gets the LimitRange's Container
//     defaultRequest and default, and the pod the kubernetes.io/limit-ranger
//     annotation saying which were set;
//   - validating, new pods and pods/resize: the Container item's min, max
//     and maxLimitRequestRatio hold for every container, the Pod item's
//     for the pod's total (pod-level resources override the sum of its
//     containers');
//   - validating, claims (create and update): the PersistentVolumeClaim
//     item's min and max hold for the storage request.
//
// A violation is a 403 listing each failed constraint. LimitRanges are
// read from an informer; a namespace where it has none is listed live,
// and that answer kept for 30 s, as upstream does.
type limitRanger struct {
	*admission.Handler
	ranges corev1listers.LimitRangeLister
	client kubernetes.Interface

	// live caches the live lists of namespaces the informer had nothing
	// for; group makes concurrent lookups of a namespace one.
	live    *lru.Cache
	group   singleflight.Group
	liveTTL time.Duration
}

var (
	_ admission.MutationInterface   = (*limitRanger)(nil)
	_ admission.ValidationInterface = (*limitRanger)(nil)
)

type liveLimitRanges struct {
	expiry time.Time
	items  []*corev1.LimitRange
}

func newLimitRanger(f informers.SharedInformerFactory, client kubernetes.Interface) *limitRanger {
	ranges := f.Core().V1().LimitRanges()
	p := &limitRanger{
		Handler: admission.NewHandler(admission.Create, admission.Update),
		ranges:  ranges.Lister(),
		client:  client,
		live:    lru.New(10000),
		liveTTL: 30 * time.Second,
	}
	p.SetReadyFunc(ranges.Informer().HasSynced)
	return p
}

func limitRangerInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Core().V1().LimitRanges().Informer()}
}

func (p *limitRanger) Admit(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	return p.run(ctx, a, func(lr *corev1.LimitRange, obj runtime.Object) error {
		if pod, ok := obj.(*corev1.Pod); ok {
			defaultPodResources(lr, pod)
		}
		return nil
	})
}

func (p *limitRanger) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	return p.run(ctx, a, func(lr *corev1.LimitRange, obj runtime.Object) error {
		switch obj := obj.(type) {
		case *corev1.Pod:
			return validatePodLimits(lr, obj)
		case *corev1.PersistentVolumeClaim:
			return validateClaimLimits(lr, obj)
		}
		return nil
	})
}

// applies says whether the plugin looks at a request: pods (created, or
// resized) and claims, not their other subresources. Containers cannot
// change on a pod update, so those are not looked at.
func limitRangerApplies(a admission.Attributes) bool {
	pod := a.GetKind().GroupKind() == corev1.SchemeGroupVersion.WithKind("Pod").GroupKind()
	if a.GetSubresource() == "resize" && pod && a.GetOperation() == admission.Update {
		return true
	}
	if a.GetSubresource() != "" || pod && a.GetOperation() == admission.Update {
		return false
	}
	return pod || a.GetKind().GroupKind() == corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim").GroupKind()
}

func (p *limitRanger) run(ctx context.Context, a admission.Attributes, fn func(*corev1.LimitRange, runtime.Object) error) error {
	if !limitRangerApplies(a) {
		return nil
	}
	// objects being deleted are left alone.
	if old := a.GetOldObject(); old != nil {
		m, err := meta.Accessor(old)
		if err != nil {
			return admission.NewForbidden(a, err)
		}
		if m.GetDeletionTimestamp() != nil {
			return nil
		}
	}
	items, err := p.limitRanges(ctx, a)
	if err != nil {
		return err
	}
	for _, lr := range items {
		if err := fn(lr, a.GetObject()); err != nil {
			return admission.NewForbidden(a, err)
		}
	}
	return nil
}

// limitRanges are the LimitRanges of the request's namespace: the
// informer's, or if it has none a live list of at most liveTTL ago. The
// live list is shared by concurrent requests for the namespace, so it
// runs without any one request's cancellation (as upstream's).
func (p *limitRanger) limitRanges(ctx context.Context, a admission.Attributes) ([]*corev1.LimitRange, error) {
	ns := a.GetNamespace()
	items, err := p.ranges.LimitRanges(ns).List(labels.Everything())
	if err != nil {
		return nil, admission.NewForbidden(a, fmt.Errorf("unable to %s %v at this time because there was an error enforcing limit ranges", a.GetOperation(), a.GetResource()))
	}
	if len(items) > 0 {
		return items, nil
	}
	cached, ok := p.live.Get(ns)
	if !ok || cached.(liveLimitRanges).expiry.Before(time.Now()) {
		cached, err, _ = p.group.Do(ns, func() (any, error) {
			list, err := p.client.CoreV1().LimitRanges(ns).List(context.WithoutCancel(ctx), metav1.ListOptions{})
			if err != nil {
				return nil, admission.NewForbidden(a, err)
			}
			entry := liveLimitRanges{expiry: time.Now().Add(p.liveTTL)}
			for i := range list.Items {
				entry.items = append(entry.items, &list.Items[i])
			}
			p.live.Add(ns, entry)
			return entry, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return cached.(liveLimitRanges).items, nil
}

// defaultPodResources sets the Container item's defaults on the pod's
// containers that lack them and records which in the annotation.
func defaultPodResources(lr *corev1.LimitRange, pod *corev1.Pod) {
	requests, limits := corev1.ResourceList{}, corev1.ResourceList{}
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypeContainer {
			continue
		}
		for k, v := range item.DefaultRequest {
			requests[k] = v.DeepCopy()
		}
		for k, v := range item.Default {
			limits[k] = v.DeepCopy()
		}
	}
	var set []string
	for i := range pod.Spec.Containers {
		set = defaultContainerResources(&pod.Spec.Containers[i], requests, limits, "container", set)
	}
	for i := range pod.Spec.InitContainers {
		set = defaultContainerResources(&pod.Spec.InitContainers[i], requests, limits, "init container", set)
	}
	if len(set) > 0 {
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		pod.Annotations[limitRangerAnnotation] = "LimitRanger plugin set: " + strings.Join(set, "; ")
	}
}

func defaultContainerResources(c *corev1.Container, requests, limits corev1.ResourceList, what string, set []string) []string {
	if c.Resources.Limits == nil {
		c.Resources.Limits = corev1.ResourceList{}
	}
	if c.Resources.Requests == nil {
		c.Resources.Requests = corev1.ResourceList{}
	}
	var setRequests, setLimits []string
	for k, v := range limits {
		if _, ok := c.Resources.Limits[k]; !ok {
			c.Resources.Limits[k] = v.DeepCopy()
			setLimits = append(setLimits, string(k))
		}
	}
	for k, v := range requests {
		if _, ok := c.Resources.Requests[k]; !ok {
			c.Resources.Requests[k] = v.DeepCopy()
			setRequests = append(setRequests, string(k))
		}
	}
	if len(setRequests) > 0 {
		sort.Strings(setRequests)
		set = append(set, strings.Join(setRequests, ", ")+fmt.Sprintf(" request for %s %s", what, c.Name))
	}
	if len(setLimits) > 0 {
		sort.Strings(setLimits)
		set = append(set, strings.Join(setLimits, ", ")+fmt.Sprintf(" limit for %s %s", what, c.Name))
	}
	return set
}

// validatePodLimits checks a pod against the Container and Pod items.
func validatePodLimits(lr *corev1.LimitRange, pod *corev1.Pod) error {
	var errs []error
	check := func(limitType string, item corev1.LimitRangeItem, requests, limits corev1.ResourceList) {
		for k, v := range item.Min {
			errs = appendErr(errs, minConstraint(limitType, string(k), v, requests, limits))
		}
		for k, v := range item.Max {
			errs = appendErr(errs, maxConstraint(limitType, string(k), v, requests, limits))
		}
		for k, v := range item.MaxLimitRequestRatio {
			errs = appendErr(errs, limitRequestRatioConstraint(limitType, string(k), v, requests, limits))
		}
	}
	for _, item := range lr.Spec.Limits {
		switch item.Type {
		case corev1.LimitTypeContainer:
			for _, containers := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
				for _, c := range containers {
					check(string(item.Type), item, c.Resources.Requests, c.Resources.Limits)
				}
			}
		case corev1.LimitTypePod:
			check(string(item.Type), item, podTotal(pod, func(r corev1.ResourceRequirements) corev1.ResourceList { return r.Requests }),
				podTotal(pod, func(r corev1.ResourceRequirements) corev1.ResourceList { return r.Limits }))
		}
	}
	return utilerrors.NewAggregate(errs)
}

// validateClaimLimits checks a claim's storage request against the
// PersistentVolumeClaim items: its limits are not user input.
func validateClaimLimits(lr *corev1.LimitRange, pvc *corev1.PersistentVolumeClaim) error {
	var errs []error
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypePersistentVolumeClaim {
			continue
		}
		for k, v := range item.Min {
			errs = appendErr(errs, minConstraint(string(item.Type), string(k), v, pvc.Spec.Resources.Requests, corev1.ResourceList{}))
		}
		for k, v := range item.Max {
			errs = appendErr(errs, maxRequestConstraint(string(item.Type), string(k), v, pvc.Spec.Resources.Requests))
		}
	}
	return utilerrors.NewAggregate(errs)
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

// podTotal is upstream's podRequests and podLimits (of the spec, not the
// status): the sum over containers and sidecars, at least the largest init
// container's (with the sidecars started before it), overridden by the
// pod-level cpu and memory (PodLevelResources is on in v1.37).
func podTotal(pod *corev1.Pod, of func(corev1.ResourceRequirements) corev1.ResourceList) corev1.ResourceList {
	total := corev1.ResourceList{}
	for _, c := range pod.Spec.Containers {
		addResources(total, of(c.Resources))
	}
	sidecars, init := corev1.ResourceList{}, corev1.ResourceList{}
	for _, c := range pod.Spec.InitContainers {
		r := of(c.Resources)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addResources(total, r)
			addResources(sidecars, r)
			r = sidecars
		} else {
			sum := corev1.ResourceList{}
			addResources(sum, r)
			addResources(sum, sidecars)
			r = sum
		}
		maxResources(init, r)
	}
	maxResources(total, init)
	if pod.Spec.Resources != nil {
		for name, q := range of(*pod.Spec.Resources) {
			if name == corev1.ResourceCPU || name == corev1.ResourceMemory {
				total[name] = q
			}
		}
	}
	return total
}

func addResources(list, add corev1.ResourceList) {
	for name, q := range add {
		if v, ok := list[name]; ok {
			v.Add(q)
			list[name] = v
		} else {
			list[name] = q.DeepCopy()
		}
	}
}

func maxResources(list, other corev1.ResourceList) {
	for name, q := range other {
		if v, ok := list[name]; !ok || q.Cmp(v) > 0 {
			list[name] = q.DeepCopy()
		}
	}
}

// enforcedValues returns the three quantities at a common precision:
// milli-units unless one would overflow.
func enforcedValues(request, limit, enforced resource.Quantity) (int64, int64, int64) {
	r, l, e := request.Value(), limit.Value(), enforced.Value()
	if r <= resource.MaxMilliValue && l <= resource.MaxMilliValue && e <= resource.MaxMilliValue {
		return request.MilliValue(), limit.MilliValue(), enforced.MilliValue()
	}
	return r, l, e
}

func minConstraint(limitType, name string, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, reqOK := requests[corev1.ResourceName(name)]
	lim, limOK := limits[corev1.ResourceName(name)]
	r, l, e := enforcedValues(req, lim, enforced)
	switch {
	case !reqOK:
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", name, limitType, enforced.String())
	case r < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", name, limitType, enforced.String(), req.String())
	case limOK && l < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", name, limitType, enforced.String(), lim.String())
	}
	return nil
}

// maxRequestConstraint is max for a kind whose limits are not read.
func maxRequestConstraint(limitType, name string, enforced resource.Quantity, requests corev1.ResourceList) error {
	req, reqOK := requests[corev1.ResourceName(name)]
	r, _, e := enforcedValues(req, resource.Quantity{}, enforced)
	switch {
	case !reqOK:
		return fmt.Errorf("maximum %s usage per %s is %s.  No request is specified", name, limitType, enforced.String())
	case r > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, limitType, enforced.String(), req.String())
	}
	return nil
}

func maxConstraint(limitType, name string, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, reqOK := requests[corev1.ResourceName(name)]
	lim, limOK := limits[corev1.ResourceName(name)]
	r, l, e := enforcedValues(req, lim, enforced)
	switch {
	case !limOK:
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", name, limitType, enforced.String())
	case l > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", name, limitType, enforced.String(), lim.String())
	case reqOK && r > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, limitType, enforced.String(), req.String())
	}
	return nil
}

func limitRequestRatioConstraint(limitType, name string, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, reqOK := requests[corev1.ResourceName(name)]
	lim, limOK := limits[corev1.ResourceName(name)]
	r, l, _ := enforcedValues(req, lim, enforced)
	if !reqOK || r == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, limitType, enforced.String())
	}
	if !limOK || l == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", name, limitType, enforced.String())
	}
	ratio := float64(l) / float64(r)
	observed, max := ratio, float64(enforced.Value())
	if enforced.Value() <= resource.MaxMilliValue {
		observed, max = ratio*1000, float64(enforced.MilliValue())
	}
	if observed > max {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", name, limitType, enforced.String(), ratio)
	}
	return nil
}
