package defaults

import (
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addFlowControl registers the flowcontrol.apiserver.k8s.io/v1 defaulters
// (pkg/apis/flowcontrol/v1).
func addFlowControl(s *runtime.Scheme) {
	register(s, setFlowSchema)
	register(s, func(l *flowcontrolv1.FlowSchemaList) { each(l.Items, setFlowSchema) })
	register(s, setPriorityLevelConfiguration)
	register(s, func(l *flowcontrolv1.PriorityLevelConfigurationList) { each(l.Items, setPriorityLevelConfiguration) })
}

func setFlowSchema(fs *flowcontrolv1.FlowSchema) {
	if fs.Spec.MatchingPrecedence == 0 {
		fs.Spec.MatchingPrecedence = 1000
	}
}

// setPriorityLevelConfiguration defaults a Limited level to 30 nominal
// concurrency shares, 0% lendable, and queuing (when chosen) to hand size 8,
// 64 queues of 50; an Exempt level to 0 shares, 0% lendable.
func setPriorityLevelConfiguration(plc *flowcontrolv1.PriorityLevelConfiguration) {
	if l := plc.Spec.Limited; l != nil {
		if l.NominalConcurrencyShares == nil {
			l.NominalConcurrencyShares = ptr.To[int32](30)
		}
		if l.LendablePercent == nil {
			l.LendablePercent = ptr.To[int32](0)
		}
		if q := l.LimitResponse.Queuing; q != nil {
			if q.HandSize == 0 {
				q.HandSize = 8
			}
			if q.Queues == 0 {
				q.Queues = 64
			}
			if q.QueueLengthLimit == 0 {
				q.QueueLengthLimit = 50
			}
		}
	}
	if e := plc.Spec.Exempt; e != nil {
		if e.NominalConcurrencyShares == nil {
			e.NominalConcurrencyShares = ptr.To[int32](0)
		}
		if e.LendablePercent == nil {
			e.LendablePercent = ptr.To[int32](0)
		}
	}
}
