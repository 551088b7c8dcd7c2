// Package storageprotection runs kube-controller-manager's three storage
// protection controllers, which remove the finalizers the
// StorageObjectInUseProtection admission plugin puts on new objects once
// nothing uses them (rewritten from k8s.io/kubernetes
// pkg/controller/volume/{pvc,pv,vac}protection, v1.37):
//
//   - pvc-protection: a PersistentVolumeClaim being deleted keeps
//     kubernetes.io/pvc-protection while a scheduled pod names it (as a
//     volume, or as its generic ephemeral volume unless the pod is shut
//     down); and, as PersistentVolumeClaimUnusedSinceTime is on in v1.37,
//     a Bound claim carries the Unused condition (True, NoPodsUsingPVC, or
//     False, PodUsingPVC, while a pod that has not terminated names it);
//   - pv-protection: a PersistentVolume being deleted keeps
//     kubernetes.io/pv-protection while it is Bound;
//   - vac-protection: a VolumeAttributesClass being deleted keeps
//     kubernetes.io/vac-protection while a claim or volume names it.
//
// Each also adds its finalizer to objects that lack it and are not being
// deleted (objects created before the admission plugin was on).
//
// Without them a deleted claim stays Terminating, and so does its
// namespace.
package storageprotection

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/controllers"
)

// The finalizers the controllers remove.
const (
	PVCProtectionFinalizer = "kubernetes.io/pvc-protection"
	PVProtectionFinalizer  = "kubernetes.io/pv-protection"
	VACProtectionFinalizer = "kubernetes.io/vac-protection"
)

// podPVCIndex indexes pods by the namespace/name of the claims they name.
const podPVCIndex = "pod-pvc-index"

// vacIndex indexes claims and volumes by the VolumeAttributesClasses they name.
const vacIndex = "vac-index"

// Controller runs the three controllers of one server.
type Controller struct {
	// informers lists and watches; each controller writes with
	// kube-controller-manager's user agent for it.
	informers, pvcClient, pvClient, vacClient kubernetes.Interface
	clock                                     clock.PassiveClock
	ran                                       atomic.Bool
}

// New returns the controllers for the server config reaches; the Unused
// condition's times are read from clk. It starts nothing: Run does.
func New(config *rest.Config, clk clock.PassiveClock) (*Controller, error) {
	c := &Controller{clock: clk}
	for agent, client := range map[string]*kubernetes.Interface{
		"shared-informers": &c.informers, "pvc-protection-controller": &c.pvcClient,
		"pv-protection-controller": &c.pvClient, "volumeattributesclass-protection-controller": &c.vacClient,
	} {
		cfg := rest.CopyConfig(config)
		cfg.UserAgent = controllers.UserAgent(agent)
		cfg.WarningHandler, cfg.WarningHandlerWithContext = rest.NoWarnings{}, nil // as kube-controller-manager
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("storageprotection: %s client: %w", agent, err)
		}
		*client = cs
	}
	return c, nil
}

// run is the state of one Run.
type run struct {
	c          *Controller
	pods       cache.Indexer
	pvcs       corelisters.PersistentVolumeClaimLister
	pvs        corelisters.PersistentVolumeLister
	vacs       storagelisters.VolumeAttributesClassLister
	pvcIndexer cache.Indexer
	pvIndexer  cache.Indexer
	// the queues hold namespace/name of claims, names of volumes and classes.
	pvcQueue, pvQueue, vacQueue workqueue.TypedRateLimitingInterface[string]
}

// Run runs the controllers with workers workers each (at least one) until
// ctx ends, then stops every goroutine and informer it started and
// returns. Run may be called once.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !c.ran.CompareAndSwap(false, true) {
		panic("storageprotection: Controller.Run called twice")
	}
	defer utilruntime.HandleCrashWithContext(ctx)
	workers = max(workers, 1)
	logger := klog.FromContext(ctx)
	logger.Info("Starting PVC, PV and VAC protection controllers")
	defer logger.Info("Shutting down PVC, PV and VAC protection controllers")

	factory := informers.NewSharedInformerFactory(c.informers, 0)
	pods := factory.Core().V1().Pods().Informer()
	pvcs := factory.Core().V1().PersistentVolumeClaims()
	pvs := factory.Core().V1().PersistentVolumes()
	vacs := factory.Storage().V1().VolumeAttributesClasses()
	// Queue names stay empty: a name turns on workqueue metrics, whose
	// goroutine ticks every 500ms per queue even when idle.
	newQueue := func() workqueue.TypedRateLimitingInterface[string] {
		return workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	}
	r := &run{
		c: c, pods: pods.GetIndexer(), pvcs: pvcs.Lister(), pvs: pvs.Lister(), vacs: vacs.Lister(),
		pvcIndexer: pvcs.Informer().GetIndexer(), pvIndexer: pvs.Informer().GetIndexer(),
		pvcQueue: newQueue(), pvQueue: newQueue(), vacQueue: newQueue(),
	}
	var wg sync.WaitGroup
	defer func() {
		r.pvcQueue.ShutDown()
		r.pvQueue.ShutDown()
		r.vacQueue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	if err := r.addHandlers(pods, pvcs.Informer(), pvs.Informer(), vacs.Informer()); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Storage protection controllers cannot watch")
		return
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced, pvcs.Informer().HasSynced, pvs.Informer().HasSynced, vacs.Informer().HasSynced) {
		return
	}
	for range workers {
		for _, w := range []struct {
			queue workqueue.TypedRateLimitingInterface[string]
			sync  func(context.Context, string) error
		}{{r.pvcQueue, r.syncPVC}, {r.pvQueue, r.syncPV}, {r.vacQueue, r.syncVAC}} {
			wg.Go(func() {
				wait.UntilWithContext(ctx, func(ctx context.Context) {
					for controllers.ProcessNext(ctx, w.queue, w.sync, "Storage protection work item failed") {
					}
				}, time.Second)
			})
		}
	}
	<-ctx.Done()
}

func (r *run) addHandlers(pods, pvcs, pvs, vacs cache.SharedIndexInformer) error {
	if err := pods.AddIndexers(cache.Indexers{podPVCIndex: podClaims}); err != nil {
		return err
	}
	if err := pvcs.AddIndexers(cache.Indexers{vacIndex: func(obj any) ([]string, error) {
		pvc, ok := obj.(*corev1.PersistentVolumeClaim)
		if !ok {
			return nil, nil
		}
		return claimClasses(pvc), nil
	}}); err != nil {
		return err
	}
	if err := pvs.AddIndexers(cache.Indexers{vacIndex: func(obj any) ([]string, error) {
		pv, ok := obj.(*corev1.PersistentVolume)
		if !ok || pv.Spec.VolumeAttributesClassName == nil || *pv.Spec.VolumeAttributesClassName == "" {
			return nil, nil
		}
		return []string{*pv.Spec.VolumeAttributesClassName}, nil
	}}); err != nil {
		return err
	}
	handlers := []struct {
		informer cache.SharedIndexInformer
		handler  cache.ResourceEventHandler
	}{
		{pods, cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { r.podChanged(nil, obj) },
			UpdateFunc: r.podChanged,
			DeleteFunc: func(obj any) { r.podChanged(nil, obj) },
		}},
		{pvcs, cache.ResourceEventHandlerFuncs{
			AddFunc:    r.pvcChanged,
			UpdateFunc: func(old, cur any) { r.pvcChanged(cur); r.unusedChanged(old, cur); r.classesOfClaimChanged(old, cur) },
			DeleteFunc: func(obj any) { r.classesOfClaimChanged(obj, nil) },
		}},
		{pvs, cache.ResourceEventHandlerFuncs{
			AddFunc:    r.pvChanged,
			UpdateFunc: func(old, cur any) { r.pvChanged(cur); r.classesOfVolumeChanged(old) },
			DeleteFunc: r.classesOfVolumeChanged,
		}},
		{vacs, cache.ResourceEventHandlerFuncs{
			AddFunc:    r.vacChanged,
			UpdateFunc: func(_, cur any) { r.vacChanged(cur) },
		}},
	}
	for _, h := range handlers {
		if _, err := h.informer.AddEventHandler(h.handler); err != nil {
			return err
		}
	}
	return nil
}

func deleted(obj any) any {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return d.Obj
	}
	return obj
}

// podClaims are the namespace/name of the claims a pod names, as
// volumes or as its generic ephemeral volumes.
func podClaims(obj any) ([]string, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, nil
	}
	var keys []string
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			keys = append(keys, pod.Namespace+"/"+v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			keys = append(keys, pod.Namespace+"/"+pod.Name+"-"+v.Name)
		}
	}
	return keys, nil
}

// podChanged queues the claims of the pod, and of the pod it replaced
// under the same name, whose deletion the update may hide.
func (r *run) podChanged(old, cur any) {
	pod, ok := deleted(cur).(*corev1.Pod)
	if !ok {
		return
	}
	r.queueClaims(pod)
	if oldPod, ok := old.(*corev1.Pod); ok && oldPod.UID != pod.UID {
		r.queueClaims(oldPod)
	}
}

func (r *run) queueClaims(pod *corev1.Pod) {
	keys, _ := podClaims(pod)
	for _, key := range keys {
		r.pvcQueue.Add(key)
	}
}

func (r *run) pvcChanged(obj any) {
	pvc, ok := obj.(*corev1.PersistentVolumeClaim)
	if !ok {
		return
	}
	if unusedCondition(pvc) == nil || needsFinalizer(&pvc.ObjectMeta, PVCProtectionFinalizer) || deletionCandidate(&pvc.ObjectMeta, PVCProtectionFinalizer) {
		r.pvcQueue.Add(pvc.Namespace + "/" + pvc.Name)
	}
}

// unusedChanged syncs a claim again once the informer has its new Unused
// condition. A sync decides from the informer's claim, which can lag the
// controller's own write: a pod deleted just after the claim was set
// Unused=False would otherwise be checked against a claim still saying
// True, found to need no change, and leave the claim False for good.
// (Upstream queues claims only for a missing condition or a finalizer.)
func (r *run) unusedChanged(old, cur any) {
	before, ok := old.(*corev1.PersistentVolumeClaim)
	after, ok2 := cur.(*corev1.PersistentVolumeClaim)
	if !ok || !ok2 {
		return
	}
	if b, a := unusedCondition(before), unusedCondition(after); b != nil && a != nil && b.Status != a.Status {
		r.pvcQueue.Add(after.Namespace + "/" + after.Name)
	}
}

func (r *run) pvChanged(obj any) {
	pv, ok := obj.(*corev1.PersistentVolume)
	if ok && (needsFinalizer(&pv.ObjectMeta, PVProtectionFinalizer) || deletionCandidate(&pv.ObjectMeta, PVProtectionFinalizer)) {
		r.pvQueue.Add(pv.Name)
	}
}

func (r *run) vacChanged(obj any) {
	vac, ok := obj.(*storagev1.VolumeAttributesClass)
	if ok && (needsFinalizer(&vac.ObjectMeta, VACProtectionFinalizer) || deletionCandidate(&vac.ObjectMeta, VACProtectionFinalizer)) {
		r.vacQueue.Add(vac.Name)
	}
}

// classesOfClaimChanged queues the classes a claim named before a change
// (or its deletion) and no longer names.
func (r *run) classesOfClaimChanged(old, cur any) {
	oldPVC, ok := deleted(old).(*corev1.PersistentVolumeClaim)
	if !ok {
		return
	}
	var now []string
	if pvc, ok := cur.(*corev1.PersistentVolumeClaim); ok {
		now = claimClasses(pvc)
	}
	for _, class := range claimClasses(oldPVC) {
		if !slices.Contains(now, class) {
			r.vacQueue.Add(class)
		}
	}
}

func (r *run) classesOfVolumeChanged(old any) {
	if pv, ok := deleted(old).(*corev1.PersistentVolume); ok && ptr.Deref(pv.Spec.VolumeAttributesClassName, "") != "" {
		r.vacQueue.Add(*pv.Spec.VolumeAttributesClassName)
	}
}

// claimClasses are the VolumeAttributesClasses a claim names: in its spec,
// current and target status.
func claimClasses(pvc *corev1.PersistentVolumeClaim) []string {
	var names []string
	for _, name := range []string{
		ptr.Deref(pvc.Spec.VolumeAttributesClassName, ""),
		ptr.Deref(pvc.Status.CurrentVolumeAttributesClassName, ""),
	} {
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if m := pvc.Status.ModifyVolumeStatus; m != nil && m.TargetVolumeAttributesClassName != "" && !slices.Contains(names, m.TargetVolumeAttributesClassName) {
		names = append(names, m.TargetVolumeAttributesClassName)
	}
	return names
}

func deletionCandidate(m *metav1.ObjectMeta, finalizer string) bool {
	return m.DeletionTimestamp != nil && slices.Contains(m.Finalizers, finalizer)
}

func needsFinalizer(m *metav1.ObjectMeta, finalizer string) bool {
	return m.DeletionTimestamp == nil && !slices.Contains(m.Finalizers, finalizer)
}

func withoutFinalizer(finalizers []string, f string) []string {
	return slices.DeleteFunc(slices.Clone(finalizers), func(s string) bool { return s == f })
}

func unusedCondition(pvc *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaimCondition {
	for i := range pvc.Status.Conditions {
		if pvc.Status.Conditions[i].Type == corev1.PersistentVolumeClaimUnused {
			return &pvc.Status.Conditions[i]
		}
	}
	return nil
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
