package harness

import (
	"fmt"

	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	apiextensionsapiserver "k8s.io/apiextensions-apiserver/pkg/apiserver"
	apiextensionsopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured/unstructuredscheme"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/cbor"
	"k8s.io/apimachinery/pkg/runtime/serializer/recognizer"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/generic"
	genericapiserver "k8s.io/apiserver/pkg/server"
	flowcontrolrequest "k8s.io/apiserver/pkg/util/flowcontrol/request"
	"k8s.io/apiserver/pkg/util/webhook"
)

// newCRDServer builds the apiextensions-apiserver that serves
// CustomResourceDefinitions and custom resources, from a copy of the main
// server's config, as kube-apiserver does. It is the main server's delegate:
// requests the built-in groups do not serve fall through to it.
func newCRDServer(base genericapiserver.Config, informers genericapiserver.RecommendedConfig, storage *storageBackend, webhookResolver webhook.AuthenticationInfoResolverWrapper, services webhook.ServiceResolver) (*apiextensionsapiserver.CustomResourceDefinitions, error) {
	base.PostStartHooks = map[string]genericapiserver.PostStartHookConfigEntry{}
	base.MergedResourceConfig = apiextensionsapiserver.DefaultAPIResourceConfigSource()
	base.RESTOptionsGetter = restOptionsGetter{
		storage: storage,
		codecs:  apiextensionsapiserver.Codecs,
		// kube-apiserver v1.37 still stores CRDs as v1beta1.
		encode: func(schema.GroupResource) schema.GroupVersion { return apiextensionsv1beta1.SchemeGroupVersion },
		prefix: func(gr schema.GroupResource) string { return gr.Group + "/" + gr.Resource },
	}
	var counts flowcontrolrequest.StorageObjectCountTracker
	if base.FlowControl != nil {
		counts = base.StorageObjectCountTracker
		getter := base.RESTOptionsGetter.(restOptionsGetter)
		getter.counts = counts
		base.RESTOptionsGetter = getter
	}
	// apiextensions' own definitions: the CRD types and the meta types they
	// refer to, all the server's OpenAPI builders reach from them (the
	// built-in definitions would cost every server 4 ms and change nothing).
	namer := openapinamer.NewDefinitionNamer(apiextensionsapiserver.Scheme)
	base.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(apiextensionsopenapi.GetOpenAPIDefinitions, namer)
	base.OpenAPIConfig.Info.Title, base.OpenAPIConfig.Info.Version = "Kubernetes", "v"+Version
	base.OpenAPIV3Config = openAPIV3Config(apiextensionsopenapi.GetOpenAPIDefinitions, namer)
	informers.Config = base
	config := apiextensionsapiserver.Config{
		GenericConfig: &informers,
		ExtraConfig: apiextensionsapiserver.ExtraConfig{
			CRDRESTOptionsGetter: crRESTOptionsGetter{storage: storage, counts: counts},
			MasterCount:          1,
			ServiceResolver:      services,
			AuthResolverWrapper:  webhookResolver,
		},
	}
	server, err := config.Complete().New(genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, fmt.Errorf("new apiextensions server: %w", err)
	}
	return server, nil
}

// crRESTOptionsGetter stores custom resources as kube-apiserver does: JSON
// (CBOR readable), under /registry/<group>/<plural>.
type crRESTOptionsGetter struct {
	storage *storageBackend
	counts  flowcontrolrequest.StorageObjectCountTracker // as restOptionsGetter's
}

func (g crRESTOptionsGetter) GetRESTOptions(resource schema.GroupResource, _ runtime.Object) (generic.RESTOptions, error) {
	ucbor := cbor.NewSerializer(unstructuredscheme.NewUnstructuredCreator(), unstructuredscheme.NewUnstructuredObjectTyper())
	codec := runtime.NewCodec(unstructured.UnstructuredJSONScheme, recognizer.NewDecoder(ucbor, unstructured.UnstructuredJSONScheme))
	return objectCounts(generic.RESTOptions{
		StorageConfig:           g.storage.config(codec).ForResource(resource),
		Decorator:               g.storage.decorator,
		EnableGarbageCollection: true,
		DeleteCollectionWorkers: 1,
		ResourcePrefix:          resource.Group + "/" + resource.Resource,
	}, g.counts), nil
}
