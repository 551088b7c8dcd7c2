package harness

import (
	"fmt"
	"sort"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	apiextensionsapiserver "k8s.io/apiextensions-apiserver/pkg/apiserver"
	apiextensionsinformers "k8s.io/apiextensions-apiserver/pkg/client/informers/externalversions/apiextensions/v1"
	apiextensionsopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured/unstructuredscheme"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/cbor"
	"k8s.io/apimachinery/pkg/runtime/serializer/recognizer"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/apiserver/pkg/endpoints/discovery"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/generic"
	genericapiserver "k8s.io/apiserver/pkg/server"
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

// crdGroupDiscovery lists the groups of established CRDs in the main
// server's legacy /apis document: the main server answers /apis itself, so
// the apiextensions server's own list never reaches clients. (Aggregated
// discovery needs no help: both servers share one resource manager.)
type crdGroupDiscovery struct {
	manager  discovery.GroupManager
	informer apiextensionsinformers.CustomResourceDefinitionInformer
	listed   map[string]bool
}

func newCRDGroupDiscovery(manager discovery.GroupManager, informer apiextensionsinformers.CustomResourceDefinitionInformer) (*crdGroupDiscovery, error) {
	d := &crdGroupDiscovery{manager: manager, informer: informer, listed: map[string]bool{}}
	gv := metav1.GroupVersionForDiscovery{GroupVersion: apiextensionsv1.SchemeGroupVersion.String(), Version: "v1"}
	manager.AddGroup(metav1.APIGroup{Name: apiextensionsv1.GroupName, Versions: []metav1.GroupVersionForDiscovery{gv}, PreferredVersion: gv})
	// handlers run one at a time, in order, on the informer's goroutine.
	_, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { d.sync() },
		UpdateFunc: func(any, any) { d.sync() },
		DeleteFunc: func(any) { d.sync() },
	})
	return d, err
}

// sync recomputes every CRD group, as apiextensions' discovery controller
// does for its own documents: served versions of established CRDs, sorted
// by Kubernetes version priority, the first preferred.
func (d *crdGroupDiscovery) sync() {
	crds, err := d.informer.Lister().List(labels.Everything())
	if err != nil {
		return
	}
	versions := map[string]map[string]bool{}
	for _, crd := range crds {
		if !apiextensionshelpers.IsCRDConditionTrue(crd, apiextensionsv1.Established) {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Served {
				if versions[crd.Spec.Group] == nil {
					versions[crd.Spec.Group] = map[string]bool{}
				}
				versions[crd.Spec.Group][v.Name] = true
			}
		}
	}
	for group, vs := range versions {
		var list []metav1.GroupVersionForDiscovery
		for v := range vs {
			list = append(list, metav1.GroupVersionForDiscovery{GroupVersion: group + "/" + v, Version: v})
		}
		sort.Slice(list, func(i, j int) bool {
			return version.CompareKubeAwareVersionStrings(list[i].Version, list[j].Version) > 0
		})
		d.manager.AddGroup(metav1.APIGroup{Name: group, Versions: list, PreferredVersion: list[0]})
		d.listed[group] = true
	}
	for group := range d.listed {
		if versions[group] == nil {
			d.manager.RemoveGroup(group)
			delete(d.listed, group)
		}
	}
}
