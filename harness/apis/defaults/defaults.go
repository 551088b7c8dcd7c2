package defaults

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/clock"
)

// AddToScheme registers on s the defaulting funcs of every built-in kind
// kube-apiserver v1.37.1 defaults, and of its list. Registering again
// replaces the earlier funcs. Timestamps that defaulting fills in (a
// DeviceTaint's timeAdded) come from the wall clock.
func AddToScheme(s *runtime.Scheme) error {
	return AddToSchemeWithClock(s, clock.RealClock{})
}

// AddToSchemeWithClock is AddToScheme with the clock that timestamps set by
// defaulting are read from.
func AddToSchemeWithClock(s *runtime.Scheme, clk clock.PassiveClock) error {
	addCore(s)
	addApps(s)
	addBatch(s)
	addAutoscaling(s)
	addNetworking(s)
	addRBAC(s)
	addStorage(s)
	addScheduling(s)
	addAdmissionRegistration(s)
	addFlowControl(s)
	addDiscovery(s)
	addCertificates(s)
	addAuthentication(s)
	addResource(s, clk)
	return nil
}

// register adds fn as the defaulting func of *T. The untyped wrapper asserts
// the type, which the scheme guarantees by keying the func on it.
func register[T any, PT interface {
	*T
	runtime.Object
}](s *runtime.Scheme, fn func(*T)) {
	s.AddTypeDefaultingFunc(PT(new(T)), func(obj any) { fn(obj.(*T)) })
}

// each applies fn to every element of items in place: a list defaults its
// items.
func each[T any](items []T, fn func(*T)) {
	for i := range items {
		fn(&items[i])
	}
}
