package faults_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/memkube/memkube/harness/faults"
)

var statusCodecs = func() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(scheme)
}()

// TestResponses checks each response action's Status, in each content
// type a client may ask for.
func TestResponses(t *testing.T) {
	t.Parallel()
	const optimistic = "the object has been modified; please apply your changes to the latest version and try again"
	tests := []struct {
		name       string
		action     faults.Action
		req        req
		want       metav1.Status
		retryAfter string
	}{
		{
			name: "Conflict", action: faults.Conflict(), req: applyDeploy,
			want: metav1.Status{Code: 409, Reason: metav1.StatusReasonConflict,
				Message: `Operation cannot be fulfilled on deployments.apps "web": ` + optimistic,
				Details: &metav1.StatusDetails{Name: "web", Group: "apps", Kind: "deployments"}},
		},
		{
			name: "Conflict/core subresource", action: faults.Conflict(), req: updatePodState,
			want: metav1.Status{Code: 409, Reason: metav1.StatusReasonConflict,
				Message: `Operation cannot be fulfilled on pods "web-1": ` + optimistic,
				Details: &metav1.StatusDetails{Name: "web-1", Kind: "pods"}},
		},
		{
			name: "TooManyRequests", action: faults.TooManyRequests(3), req: listDeploys, retryAfter: "3",
			want: metav1.Status{Code: 429, Reason: metav1.StatusReasonTooManyRequests,
				Message: "Too many requests, please try again later.", Details: &metav1.StatusDetails{RetryAfterSeconds: 3}},
		},
		{
			name: "TooManyRequests/no Retry-After", action: faults.TooManyRequests(0), req: listDeploys,
			want: metav1.Status{Code: 429, Reason: metav1.StatusReasonTooManyRequests,
				Message: "Too many requests, please try again later.", Details: &metav1.StatusDetails{}},
		},
		{
			name: "InternalError", action: faults.InternalError(), req: createCM,
			want: metav1.Status{Code: 500, Reason: metav1.StatusReasonInternalError,
				Message: "Internal error occurred: fault injected by memkube",
				Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: "fault injected by memkube"}}}},
		},
		{
			name: "ServiceUnavailable", action: faults.ServiceUnavailable(), req: getPod,
			want: metav1.Status{Code: 503, Reason: metav1.StatusReasonServiceUnavailable, Message: "fault injected by memkube"},
		},
		{
			name: "Timeout", action: faults.Timeout(), req: getNode,
			want: metav1.Status{Code: 504, Reason: metav1.StatusReasonTimeout,
				Message: "Timeout: request did not complete within requested timeout - context deadline exceeded",
				Details: &metav1.StatusDetails{}},
		},
		{
			name: "Error/APIStatus", action: faults.Error(apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "web-1", errors.New("no"))), req: getPod,
			want: metav1.Status{Code: 403, Reason: metav1.StatusReasonForbidden,
				Message: `pods "web-1" is forbidden: no`, Details: &metav1.StatusDetails{Name: "web-1", Kind: "pods"}},
		},
		{
			name: "Error/other", action: faults.Error(errors.New("etcdserver: leader changed")), req: getPod,
			want: metav1.Status{Code: 500, Reason: metav1.StatusReasonUnknown, Message: "etcdserver: leader changed"},
		},
	}
	contentTypes := []struct{ accept, want string }{
		{"", "application/json"},
		{"application/json", "application/json"},
		{"application/yaml", "application/yaml"},
		{"application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf"},
		{"application/vnd.kubernetes.protobuf;stream=watch, application/json", "application/vnd.kubernetes.protobuf"},
	}
	for _, tc := range tests {
		for _, ct := range contentTypes {
			t.Run(tc.name+"/Accept="+ct.accept, func(t *testing.T) {
				t.Parallel()
				inj := faults.New(1)
				backend := &okBackend{}
				inj.Add(faults.Rule{Action: tc.action})
				var w = tc.req.do(newChain(inj, backend))
				if ct.accept != "" {
					w = tc.req.do(newChain(inj, backend), "Accept", ct.accept)
				}
				if backend.reached.Load() != 0 {
					t.Fatal("the request reached the backend")
				}
				if w.Code != int(tc.want.Code) {
					t.Fatalf("code %d, want %d", w.Code, tc.want.Code)
				}
				if got := w.Header().Get("Content-Type"); got != ct.want {
					t.Fatalf("Content-Type %q, want %q", got, ct.want)
				}
				if got := w.Header().Get("Retry-After"); got != tc.retryAfter {
					t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
				}
				obj, err := runtime.Decode(statusCodecs.UniversalDeserializer(), w.Body.Bytes())
				if err != nil {
					t.Fatalf("decode %q: %v", w.Body.String(), err)
				}
				got, ok := obj.(*metav1.Status)
				if !ok {
					t.Fatalf("decoded %T, want a Status", obj)
				}
				want := tc.want
				want.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
				want.Status = metav1.StatusFailure
				if got.String() != want.String() {
					t.Fatalf("got  %v\nwant %v", got, &want)
				}
			})
		}
	}
}

// TestDelay: a delayed request waits on the injector's clock, then goes
// on; DelayBetween draws from the seeded source.
func TestDelay(t *testing.T) {
	t.Parallel()
	clk := testingclock.NewFakeClock(time.Now())
	inj := faults.NewWithClock(1, clk)
	backend := &okBackend{}
	h := newChain(inj, backend)
	inj.Add(faults.Rule{Verbs: []string{"get"}, Action: faults.Delay(time.Second)})
	inj.Add(faults.Rule{Verbs: []string{"get"}, Action: faults.Delay(2 * time.Second)})

	done := make(chan int)
	go func() { done <- getPod.do(h).Code }()
	for !clk.HasWaiters() {
		time.Sleep(time.Millisecond) // the fake clock has no waiter event to wait on
	}
	clk.Step(3*time.Second - 1)
	if !clk.HasWaiters() { // the fake clock fires timers in Step
		t.Fatal("the request went on before its delays added up")
	}
	clk.Step(1)
	if code := <-done; code != 200 || backend.reached.Load() != 1 {
		t.Fatalf("code %d, reached %d; want the request handed on", code, backend.reached.Load())
	}
}

// TestDelayCancelled: a request whose context ends while it waits is
// dropped.
func TestDelayCancelled(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	backend := &okBackend{}
	inj.Add(faults.Rule{Action: faults.Delay(time.Hour)})
	srv := newServer(t, newChain(inj, backend))
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := client.Get(srv.URL + getPod.target); err == nil {
		t.Fatal("got a response within the client's timeout, want none")
	}
	if backend.reached.Load() != 0 {
		t.Fatal("the abandoned request reached the backend")
	}
}
