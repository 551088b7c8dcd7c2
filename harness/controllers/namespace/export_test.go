package namespace

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DiscoverFunc is how the controller discovers namespaced resources.
type DiscoverFunc = func(ctx context.Context) ([]*metav1.APIResourceList, error)

// WrapDiscovery lets a test fail discovery.
func WrapDiscovery(c *Controller, wrap func(DiscoverFunc) DiscoverFunc) {
	c.content.discover = wrap(c.content.discover)
}

// OKReasons and OKMessages are the conditions' values when all is well.
var (
	OKReasons  = okReasons
	OKMessages = okMessages
	// ConditionTypes are the conditions the controller keeps, in order.
	ConditionTypes = conditionTypes
	// GetCondition finds a condition by type.
	GetCondition = getCondition
)
