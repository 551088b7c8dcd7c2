package harness

import (
	"context"
	"fmt"
	"time"

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
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	flowcontrolrequest "k8s.io/apiserver/pkg/util/flowcontrol/request"
	"k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/client-go/tools/cache"
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

// watchCacheReady is how long a storage may take to fill its watch cache
// before it is handed out (readyWithin) or the server's own clients start
// (Start).
const watchCacheReady = time.Second

// readyWithin is d, whose storage is handed out once its watch cache is
// ready, or after timeout. A custom resource's storage is created at the
// first request that needs it, and a watch cache that is not ready answers
// 429 "storage is (re)initializing": a client retries, but the CRD
// finalizer, when it is the first (a CRD deleted just after it was
// created), can then stay stuck for good (it requeues on that failure, and
// a retry that meets a lagging informer's conflict is dropped). Filling an
// empty cache takes a millisecond.
func readyWithin(timeout time.Duration, d generic.StorageDecorator) generic.StorageDecorator {
	return func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(obj runtime.Object) (string, error),
		newFunc, newListFunc func() runtime.Object, getAttrsFunc storage.AttrFunc, triggerFuncs storage.IndexerFuncs, indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := d(config, resourcePrefix, keyFunc, newFunc, newListFunc, getAttrsFunc, triggerFuncs, indexers)
		if err != nil {
			return s, destroy, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		waitFor(ctx, func() bool { return s.ReadinessCheck() == nil })
		return s, destroy, nil
	}
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
		Decorator:               readyWithin(watchCacheReady, g.storage.decorator),
		EnableGarbageCollection: true,
		DeleteCollectionWorkers: 1,
		ResourcePrefix:          resource.Group + "/" + resource.Resource,
	}, g.counts), nil
}
