package openapi

// SSAKind names the server-side-apply schema type (in SSASchema) of a kind.
type SSAKind struct{ Group, Version, Kind, Type string }

// ptr is the address of a copy of v: the generated schema's optional fields.
func ptr[T any](v T) *T { return &v }
