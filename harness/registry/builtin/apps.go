package builtin

import (
	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/memkube/memkube/harness/registry"
)

func appsKinds() []*registry.Kind {
	return []*registry.Kind{
		kind[appsv1.ControllerRevision, appsv1.ControllerRevisionList]("apps", "controllerrevisions", "ControllerRevision", true),
		with(kind[appsv1.DaemonSet, appsv1.DaemonSetList]("apps", "daemonsets", "DaemonSet", true), short("ds"), all, status, generation),
		with(kind[appsv1.Deployment, appsv1.DeploymentList]("apps", "deployments", "Deployment", true), short("deploy"), all, status, generation,
			scale(appsScale(func(obj runtime.Object) (*int32, *metav1.LabelSelector, int32) {
				d := obj.(*appsv1.Deployment)
				return d.Spec.Replicas, d.Spec.Selector, d.Status.Replicas
			}, func(obj runtime.Object, n int32) { obj.(*appsv1.Deployment).Spec.Replicas = &n }))),
		with(kind[appsv1.ReplicaSet, appsv1.ReplicaSetList]("apps", "replicasets", "ReplicaSet", true), short("rs"), all, status, generation,
			scale(appsScale(func(obj runtime.Object) (*int32, *metav1.LabelSelector, int32) {
				r := obj.(*appsv1.ReplicaSet)
				return r.Spec.Replicas, r.Spec.Selector, r.Status.Replicas
			}, func(obj runtime.Object, n int32) { obj.(*appsv1.ReplicaSet).Spec.Replicas = &n }))),
		with(kind[appsv1.StatefulSet, appsv1.StatefulSetList]("apps", "statefulsets", "StatefulSet", true), short("sts"), all, status, generation,
			names(apimachineryvalidation.NameIsDNSLabel),
			scale(appsScale(func(obj runtime.Object) (*int32, *metav1.LabelSelector, int32) {
				s := obj.(*appsv1.StatefulSet)
				return s.Spec.Replicas, s.Spec.Selector, s.Status.Replicas
			}, func(obj runtime.Object, n int32) { obj.(*appsv1.StatefulSet).Spec.Replicas = &n }))),
	}
}

// appsScale is the scale of an apps/v1 workload from its replicas, selector
// and status replicas.
func appsScale(get func(runtime.Object) (*int32, *metav1.LabelSelector, int32), set func(runtime.Object, int32)) *registry.Scale {
	return &registry.Scale{
		SpecReplicas: func(obj runtime.Object) int32 {
			if r, _, _ := get(obj); r != nil {
				return *r
			}
			return 0
		},
		SetSpecReplicas: set,
		StatusReplicas:  func(obj runtime.Object) int32 { _, _, n := get(obj); return n },
		Selector: func(obj runtime.Object) (string, error) {
			_, s, _ := get(obj)
			selector, err := metav1.LabelSelectorAsSelector(s)
			if err != nil {
				return "", err
			}
			return selector.String(), nil
		},
	}
}
