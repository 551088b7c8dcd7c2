package gc

import "k8s.io/apimachinery/pkg/types"

// Observed reports whether the graph holds uid as an object an informer
// reported. Tests wait on it before an orphan or foreground deletion: as
// upstream, a dependent the collector has not seen yet when its owner goes
// is not orphaned (nor waited for) but collected later.
func (c *Controller) Observed(uid types.UID) bool {
	n, ok := c.graph.read(uid)
	return ok && n.isObserved()
}
