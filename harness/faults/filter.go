package faults

import (
	"context"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/cbor"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
)

// Filter returns next behind the injector's HTTP faults. It belongs
// innermost in k8s.io/apiserver's handler chain, where the request info
// and the user are in the request's context and the timeout filters run
// outside it:
//
//	config.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
//		return genericapiserver.DefaultBuildHandlerChain(inj.Filter(h), c)
//	}
//
// A request without request info (a chain without WithRequestInfo) passes
// through untouched. With no faults, the filter costs one atomic load.
func (inj *Injector) Filter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rules := inj.rules.Load()
		if rules == nil {
			next.ServeHTTP(w, r)
			return
		}
		inj.serve(*rules, next, w, r)
	})
}

func (inj *Injector) serve(rules []*Fault, next http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	info, ok := request.RequestInfoFrom(ctx)
	if !ok {
		next.ServeHTTP(w, r)
		return
	}
	u, _ := request.UserFrom(ctx)
	p, fired := inj.planFor(rules, info, u, r.URL.Path)
	if !fired {
		next.ServeHTTP(w, r)
		return
	}
	if p.delay > 0 {
		if err := inj.sleep(ctx, p.delay); err != nil {
			return // the client left, or the server's timeout filter has answered
		}
	}
	if p.respond != nil {
		gv := schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}
		responsewriters.ErrorNegotiated(p.respond(info), inj.codecs, gv, w, r)
		return
	}
	if p.noBookmarks && info.Verb == "watch" {
		r = withoutBookmarks(r)
	}
	if p.watches() && info.Verb == "watch" {
		inj.serveWatch(p, next, w, r)
		return
	}
	next.ServeHTTP(w, r)
}

// withoutBookmarks is r without allowWatchBookmarks, unless r is a
// watch-list request, which needs it.
func withoutBookmarks(r *http.Request) *http.Request {
	q := r.URL.Query()
	if q.Get("sendInitialEvents") == "true" || !q.Has("allowWatchBookmarks") {
		return r
	}
	q.Del("allowWatchBookmarks")
	r = r.Clone(r.Context())
	r.URL.RawQuery = q.Encode()
	r.RequestURI = r.URL.RequestURI()
	return r
}

// planFor fires the faults of rules that match a request, in order, and
// returns what they do; fired is false if none fired.
func (inj *Injector) planFor(rules []*Fault, info *request.RequestInfo, u user.Info, urlPath string) (p plan, fired bool) {
	p.closeAfter = -1
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for _, f := range rules {
		if !f.matches(info, u, urlPath) || !inj.fireLocked(f, f.rule.Probability) {
			continue
		}
		fired = true
		f.rule.Action.apply(&p, inj.rng)
		if p.respond != nil {
			break
		}
	}
	return p, fired
}

// sleep waits d on the injector's clock, or until ctx ends.
func (inj *Injector) sleep(ctx context.Context, d time.Duration) error {
	t := inj.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newStatusCodecs returns the serializers of metav1.Status that
// k8s.io/apiserver offers on every API group: JSON, YAML, protobuf, and
// CBOR when its feature gate is on (as genericapiserver.NewDefaultAPIGroupInfo
// decides).
func newStatusCodecs() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	if utilfeature.DefaultFeatureGate.Enabled(features.CBORServingAndStorage) {
		return serializer.NewCodecFactory(scheme, serializer.WithSerializer(cbor.NewSerializerInfo))
	}
	return serializer.NewCodecFactory(scheme)
}
