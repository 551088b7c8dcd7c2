package gc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// processAttemptToOrphan handles one owner of attemptToOrphan: it removes
// the references to the owner from every dependent the graph knows, then
// the owner's orphan finalizer. Any failure retries the whole owner.
func (c *Controller) processAttemptToOrphan(ctx context.Context) bool {
	owner, quit := c.attemptToOrphan.Get()
	if quit {
		return false
	}
	defer c.attemptToOrphan.Done(owner)
	logger := klog.FromContext(ctx)
	err := c.orphanDependents(ctx, owner.identity, owner.getDependents())
	if err == nil {
		if err = c.removeFinalizer(ctx, owner, metav1.FinalizerOrphanDependents); err != nil {
			err = fmt.Errorf("removeOrphanFinalizer for %s failed with %w", owner.identity, err)
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			logger.V(2).Info("error orphaning dependents, will retry", "owner", owner.identity, "err", err)
		}
		c.attemptToOrphan.AddRateLimited(owner)
		return true
	}
	c.attemptToOrphan.Forget(owner)
	return true
}

// orphanDependents removes the references to owner from dependents, in
// parallel as upstream does. A dependent that is gone, or that no longer
// references owner, is not an error.
func (c *Controller) orphanDependents(ctx context.Context, owner objectReference, dependents []*node) error {
	errs := make([]error, len(dependents))
	var wg sync.WaitGroup
	for i, dep := range dependents {
		wg.Go(func() {
			smp, err := deleteOwnerRefStrategicMergePatch(dep.identity.UID, []types.UID{owner.UID})
			if err == nil {
				_, err = c.patch(ctx, dep, smp, func(n *node) ([]byte, error) {
					return c.deleteOwnerRefJSONMergePatch(ctx, n, owner.UID)
				})
			}
			if err != nil && !apierrors.IsNotFound(err) {
				errs[i] = fmt.Errorf("orphaning %s failed, %w", dep.identity, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("failed to orphan dependents of owner %s, got errors: %w", owner, err)
	}
	klog.FromContext(ctx).V(5).Info("successfully updated all dependents", "owner", owner)
	return nil
}
