package harness_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	aggregatorv1 "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/typed/apiregistration/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/harness/pki"
)

// TestLocalAPIServices lists the APIServices a server has at start: one per
// group version kube-apiserver v1.37 serves (the reference's legacy /apis),
// Available because Local, with upstream's priorities; and a CRD's group
// versions get theirs and lose them with the CRD.
func TestLocalAPIServices(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	apiServices := aggregatorclient.NewForConfigOrDie(s.RESTConfig()).ApiregistrationV1().APIServices()
	list, err := apiServices.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	data, err := os.ReadFile("testdata/kube-apiserver-1.37/apis.json")
	if err != nil {
		t.Fatal(err)
	}
	var groups metav1.APIGroupList
	if err := json.Unmarshal(data, &groups); err != nil {
		t.Fatal(err)
	}
	want = append(want, "v1.")
	for _, g := range groups.Groups {
		if g.Name == apiregistrationv1.GroupName {
			continue // upstream has none for itself
		}
		for _, v := range g.Versions {
			want = append(want, v.Version+"."+g.Name)
		}
	}
	var got []string
	byName := map[string]apiregistrationv1.APIService{}
	for _, svc := range list.Items {
		got = append(got, svc.Name)
		byName[svc.Name] = svc
		available := false
		for _, c := range svc.Status.Conditions {
			if c.Type == apiregistrationv1.Available && c.Status == apiregistrationv1.ConditionTrue && c.Reason == "Local" {
				available = true
			}
		}
		if !available || svc.Spec.Service != nil || svc.Labels["kube-aggregator.kubernetes.io/automanaged"] != "onstart" {
			t.Errorf("APIService %s: labels %v, service %v, status %+v; want automanaged onstart, Local and Available", svc.Name, svc.Labels, svc.Spec.Service, svc.Status)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("APIServices %v, want %v", got, want)
	}
	for name, p := range map[string][2]int32{"v1.": {18000, 1}, "v1.apps": {17800, 15}, "v2.autoscaling": {17500, 30}, "v1.autoscaling": {17500, 15}, "v1.apiextensions.k8s.io": {16700, 15}, "v1.storagemigration.k8s.io": {15800, 15}} {
		if spec := byName[name].Spec; spec.GroupPriorityMinimum != p[0] || spec.VersionPriority != p[1] {
			t.Errorf("APIService %s: priorities %d/%d, want %d/%d", name, spec.GroupPriorityMinimum, spec.VersionPriority, p[0], p[1])
		}
	}

	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	if _, err := crds.Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"v1.example.memkube.io", "v1beta1.example.memkube.io"} {
		var svc *apiregistrationv1.APIService
		poll(t, func(ctx context.Context) (bool, error) {
			svc, err = apiServices.Get(ctx, name, metav1.GetOptions{})
			return err == nil && len(svc.Status.Conditions) > 0, nil
		})
		if spec := svc.Spec; spec.GroupPriorityMinimum != 1000 || spec.VersionPriority != 100 || svc.Labels["kube-aggregator.kubernetes.io/automanaged"] != "true" {
			t.Errorf("CRD APIService %s: spec %+v, labels %v; want priorities 1000/100, automanaged true", name, spec, svc.Labels)
		}
	}
	if err := crds.Delete(ctx, widgetCRD().Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, func(ctx context.Context) (bool, error) {
		_, err := apiServices.Get(ctx, "v1.example.memkube.io", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}

func poll(t *testing.T, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 30*time.Second, true, cond); err != nil {
		t.Fatal(err)
	}
}

// wardle is a fake aggregated API server for wardle.example.com/v1alpha1
// (flunders), served over TLS as api.wardle.svc.
type wardle struct {
	srv      *httptest.Server
	caBundle []byte
	mu       sync.Mutex // guards users
	users    []string   // X-Remote-User of each flunders request
}

const wardleGroupVersion = "wardle.example.com/v1alpha1"

func startWardle(t *testing.T) *wardle {
	t.Helper()
	ca, err := pki.NewCA("wardle-ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueServing([]string{"api.wardle.svc"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	w := &wardle{caBundle: ca.CertPEM}
	w.srv = httptest.NewUnstartedServer(http.HandlerFunc(w.serve))
	w.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	w.srv.StartTLS()
	t.Cleanup(w.srv.Close)
	return w
}

func (w *wardle) serve(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/apis/" + wardleGroupVersion:
		_ = json.NewEncoder(rw).Encode(&metav1.APIResourceList{
			TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
			GroupVersion: wardleGroupVersion,
			APIResources: []metav1.APIResource{{Name: "flunders", SingularName: "flunder", Namespaced: true, Kind: "Flunder", Verbs: []string{"get", "list"}}},
		})
	case "/apis/" + wardleGroupVersion + "/namespaces/default/flunders":
		w.mu.Lock()
		w.users = append(w.users, r.Header.Get("X-Remote-User")+" "+strings.Join(r.Header.Values("X-Remote-Group"), ","))
		w.mu.Unlock()
		_, _ = rw.Write([]byte(`{"kind":"FlunderList","apiVersion":"` + wardleGroupVersion + `","metadata":{"resourceVersion":"7"},"items":[{"kind":"Flunder","apiVersion":"` + wardleGroupVersion + `","metadata":{"name":"f1","namespace":"default"}}]}`))
	default:
		http.NotFound(rw, r)
	}
}

// registerWardle serves w as wardle.example.com/v1alpha1 on s (Service,
// EndpointSlice, APIService with w's CA, or insecureSkipTLSVerify) and waits
// until the APIService is Available.
func registerWardle(t *testing.T, s *harness.Server, w *wardle, insecure bool) (aggregatorv1.APIServiceInterface, *apiregistrationv1.APIService) {
	t.Helper()
	ctx := t.Context()
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "wardle"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().Services("wardle").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "https", Port: 443}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(w.srv.URL, "https://"))
	p, _ := strconv.Atoi(port)
	if _, err := c.DiscoveryV1().EndpointSlices("wardle").Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "api", Labels: map[string]string{discoveryv1.LabelServiceName: "api"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"127.0.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("https"), Port: ptr.To(int32(p))}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	apiServices := aggregatorclient.NewForConfigOrDie(s.RESTConfig()).ApiregistrationV1().APIServices()
	svc := &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1alpha1.wardle.example.com"},
		Spec: apiregistrationv1.APIServiceSpec{
			Group: "wardle.example.com", Version: "v1alpha1",
			GroupPriorityMinimum: 1000, VersionPriority: 15,
			Service: &apiregistrationv1.ServiceReference{Namespace: "wardle", Name: "api", Port: ptr.To(int32(443))},
		},
	}
	if insecure {
		svc.Spec.InsecureSkipTLSVerify = true
	} else {
		svc.Spec.CABundle = w.caBundle
	}
	if _, err := apiServices.Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var last *apiregistrationv1.APIService
	poll(t, func(ctx context.Context) (bool, error) {
		svc, err := apiServices.Get(ctx, "v1alpha1.wardle.example.com", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = svc
		for _, c := range svc.Status.Conditions {
			if c.Type == apiregistrationv1.Available && c.Status == apiregistrationv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	return apiServices, last
}

// TestAggregatedAPIServer registers a fake aggregated API server by
// APIService, behind a Service and an EndpointSlice of the test's (as a
// Deployment's would be): the availability controller marks it Available
// once its discovery answers, requests for its group version are proxied
// to it as the authenticated user, and discovery, legacy and aggregated,
// lists its group.
func TestAggregatedAPIServer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	w := startWardle(t)
	apiServices, last := registerWardle(t, s, w, false)
	if c := last.Status.Conditions[0]; c.Reason != "Passed" || c.Message != "all checks passed" {
		t.Errorf("Available condition %+v, want reason Passed, all checks passed", c)
	}

	// a client-go request through memkube reaches the aggregated server.
	flunders := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "wardle.example.com", Version: "v1alpha1", Resource: "flunders"}).Namespace("default")
	var got []string
	poll(t, func(ctx context.Context) (bool, error) {
		// the proxy sees the APIService Available a moment after its status says so.
		list, err := flunders.List(ctx, metav1.ListOptions{})
		if apierrors.IsServiceUnavailable(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		for _, f := range list.Items {
			got = append(got, f.GetName())
		}
		return true, nil
	})
	if !slices.Equal(got, []string{"f1"}) {
		t.Errorf("flunders %v, want [f1]", got)
	}
	w.mu.Lock()
	users := slices.Clone(w.users)
	w.mu.Unlock()
	if len(users) == 0 || users[len(users)-1] != "memkube-admin system:masters,system:authenticated" {
		t.Errorf("the aggregated server saw users %q, want memkube-admin in system:masters,system:authenticated", users)
	}

	// legacy discovery lists the group from the APIService.
	disc := discovery.NewDiscoveryClientForConfigOrDie(s.RESTConfig())
	legacy, err := disc.RESTClient().Get().AbsPath("/apis").SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil || !strings.Contains(string(legacy), `"preferredVersion":{"groupVersion":"wardle.example.com/v1alpha1"`) {
		t.Errorf("legacy /apis lacks wardle.example.com: %v %s", err, legacy)
	}
	// aggregated discovery lists it once the aggregator has read the
	// server's discovery.
	poll(t, func(ctx context.Context) (bool, error) {
		_, resources, err := disc.ServerGroupsAndResources()
		if err != nil {
			return false, nil
		}
		for _, list := range resources {
			if list.GroupVersion == wardleGroupVersion && len(list.APIResources) == 1 && list.APIResources[0].Name == "flunders" {
				return true, nil
			}
		}
		return false, nil
	})

	// without the APIService, the group version is not served any more.
	if err := apiServices.Delete(ctx, "v1alpha1.wardle.example.com", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, func(ctx context.Context) (bool, error) {
		_, err := flunders.List(ctx, metav1.ListOptions{})
		return apierrors.IsNotFound(err), nil
	})
}
