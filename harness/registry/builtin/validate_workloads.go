package builtin

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
)

// workloadValidation validates the workload kinds: apps/v1 Deployments,
// ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions, batch/v1
// Jobs and CronJobs, and v1 ReplicationControllers. Their scale
// subresources write through the main resource's update, so a scale is
// validated by these rules too, after validateScale's own.
func workloadValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Group: "apps", Resource: "deployments"}:         validated(validation.Deployment, validation.DeploymentUpdate, validation.DeploymentStatusUpdate),
		{Group: "apps", Resource: "replicasets"}:         validated(validation.ReplicaSet, validation.ReplicaSetUpdate, validation.ReplicaSetStatusUpdate),
		{Group: "apps", Resource: "statefulsets"}:        validated(validation.StatefulSet, validation.StatefulSetUpdate, validation.StatefulSetStatusUpdate),
		{Group: "apps", Resource: "daemonsets"}:          validated(validation.DaemonSet, validation.DaemonSetUpdate, validation.DaemonSetStatusUpdate),
		{Group: "apps", Resource: "controllerrevisions"}: validated(validation.ControllerRevision, validation.ControllerRevisionUpdate, nil),
		{Group: "batch", Resource: "jobs"}:               validated(validation.Job, validation.JobUpdate, validation.JobStatusUpdate),
		{Group: "batch", Resource: "cronjobs"}:           validated(validation.CronJob, validation.CronJobUpdate, nil),
		{Resource: "replicationcontrollers"}:             validated(validation.ReplicationController, validation.ReplicationControllerUpdate, validation.ReplicationControllerStatusUpdate),
	}
}
