package vapstatus

import (
	"maps"
	"sync"

	apiextensionsscheme "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset/scheme"
	apiextensionsopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/common"

	"github.com/memkube/memkube/harness/openapi"
)

// builtinSchemas resolves the schemas of the built-in kinds from memkube's
// generated OpenAPI definitions and apiextensions-apiserver's (upstream's
// single k8s.io/kubernetes pkg/generated/openapi holds both), named by the
// client-go and apiextensions schemes as kube-controller-manager names them.
//
// It is built once per process, on the first policy checked, and shared by
// every server's controller (ResolveSchema only reads it): building it
// calls every definition's constructor and names them all for their kinds,
// 9 ms and 4.4 MB (BenchmarkBuiltinSchemas, 2-core machine) that a server
// start should not pay.
var builtinSchemas = sync.OnceValue(newBuiltinSchemas)

func newBuiltinSchemas() *resolver.DefinitionsSchemaResolver {
	return resolver.NewDefinitionsSchemaResolver(func(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
		defs := openapi.GetOpenAPIDefinitions(ref)
		maps.Copy(defs, apiextensionsopenapi.GetOpenAPIDefinitions(ref))
		return defs
	}, scheme.Scheme, apiextensionsscheme.Scheme)
}
