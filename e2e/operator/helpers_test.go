package operator_test

import (
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// eventRecorder sends "add", "update" or "delete" on events for each event
// of the object named name; it never blocks the informer.
func eventRecorder(events chan<- string, name string) toolscache.ResourceEventHandler {
	send := func(obj any, event string) {
		if tombstone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
			obj = tombstone.Obj
		}
		if o, ok := obj.(client.Object); ok && o.GetName() == name {
			select {
			case events <- event:
			default:
			}
		}
	}
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { send(obj, "add") },
		UpdateFunc: func(_, obj any) { send(obj, "update") },
		DeleteFunc: func(obj any) { send(obj, "delete") },
	}
}
