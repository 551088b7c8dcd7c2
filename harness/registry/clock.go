package registry

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"
)

type clockKey struct{}

// WithClock returns ctx carrying the clock of the server serving the
// request: registries stamp times (conditions, creationTimestamp) from it.
func WithClock(ctx context.Context, c clock.PassiveClock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// ClockFrom returns the clock WithClock put in ctx, if any.
func ClockFrom(ctx context.Context) (clock.PassiveClock, bool) {
	c, ok := ctx.Value(clockKey{}).(clock.PassiveClock)
	return c, ok
}

// Now is the time on the clock of the server serving ctx's request; real
// time outside a request.
func Now(ctx context.Context) metav1.Time {
	if c, ok := ClockFrom(ctx); ok {
		return metav1.NewTime(c.Now())
	}
	return metav1.Now()
}
