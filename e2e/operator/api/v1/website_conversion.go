package v1

// Hub marks v1 as the conversion hub: every other version converts to and
// from it (sigs.k8s.io/controller-runtime/pkg/conversion).
func (*Website) Hub() {}
