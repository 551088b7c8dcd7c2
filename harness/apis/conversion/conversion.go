package conversion

import (
	"fmt"

	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
)

// AddConversions registers on s the conversion funcs, both ways, between
//
//   - autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler and
//     HorizontalPodAutoscalerList, and
//   - events.k8s.io/v1 and core/v1 Event and EventList, and
//   - policy/v1beta1 and policy/v1 Eviction.
//
// The funcs are keyed by Go type only, so they serve whichever versions those
// types are registered under; memkube registers the v2 and core/v1 types as
// the internal versions of autoscaling and events.k8s.io. Registering again
// replaces the earlier funcs.
func AddConversions(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{
		register(horizontalPodAutoscalerV1ToV2),
		register(horizontalPodAutoscalerV2ToV1),
		register(horizontalPodAutoscalerListV1ToV2),
		register(horizontalPodAutoscalerListV2ToV1),
		register(infallible(eventV1ToCore)),
		register(infallible(eventCoreToV1)),
		register(infallible(eventListV1ToCore)),
		register(infallible(eventListCoreToV1)),
		register(infallible(evictionV1beta1ToV1)),
		register(infallible(evictionV1ToV1beta1)),
	} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}

// register returns a func that registers fn as the conversion from *In to
// *Out. The untyped wrapper asserts the types, which the scheme guarantees
// by keying the func on them.
func register[In, Out any](fn func(*In, *Out) error) func(*runtime.Scheme) error {
	return func(s *runtime.Scheme) error {
		err := s.AddConversionFunc((*In)(nil), (*Out)(nil), func(a, b any, _ conversion.Scope) error {
			return fn(a.(*In), b.(*Out))
		})
		if err != nil {
			return fmt.Errorf("register conversion %T to %T: %w", (*In)(nil), (*Out)(nil), err)
		}
		return nil
	}
}

// infallible adapts a conversion that cannot fail to register's signature.
func infallible[In, Out any](fn func(*In, *Out)) func(*In, *Out) error {
	return func(in *In, out *Out) error {
		fn(in, out)
		return nil
	}
}
