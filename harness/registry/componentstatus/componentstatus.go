// Package componentstatus serves the deprecated core/v1 componentstatuses:
// the health of the scheduler, the controller manager and etcd, probed on
// each request as kube-apiserver does.
package componentstatus

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/memkube/memkube/harness/registry/printers"
)

// probeTimeout is kube-apiserver's.
const probeTimeout = 20 * time.Second

// Check probes a component: healthy or not, a message, an error.
type Check func(ctx context.Context) (healthy bool, message string, err error)

// HTTPCheck probes https://127.0.0.1:port/healthz as kube-apiserver probes
// the scheduler (10259) and the controller manager (10257): a 2xx answer is
// healthy with the body as message; no answer is unhealthy with the error
// as message.
func HTTPCheck(port int) Check {
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", port)
	client := &http.Client{Timeout: probeTimeout, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as upstream: a health probe
		DisableKeepAlives: true,
		Proxy:             http.ProxyURL(nil),
	}}
	return func(ctx context.Context) (bool, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, "", fmt.Errorf("failed to construct probe request: %w", err)
		}
		req.Header.Set("User-Agent", "kube-probe/1.37")
		req.Header.Set("Accept", "*/*")
		resp, err := client.Do(req)
		if err != nil {
			return false, err.Error(), nil
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 10*1024))
		if err != nil {
			return false, "", err
		}
		if resp.StatusCode < http.StatusOK || resp.StatusCode >= http.StatusBadRequest {
			return false, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode), nil
		}
		return true, string(body), nil
	}
}

// REST serves componentstatuses from checks by component name.
type REST struct {
	checks map[string]Check
	rest.TableConvertor
}

// New returns the componentstatuses endpoint.
func New(checks map[string]Check) *REST {
	return &REST{checks: checks, TableConvertor: printers.For(corev1.Resource("componentstatuses"))}
}

var (
	_ rest.Getter               = &REST{}
	_ rest.Lister               = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.ShortNamesProvider   = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

func (*REST) New() runtime.Object     { return &corev1.ComponentStatus{} }
func (*REST) NewList() runtime.Object { return &corev1.ComponentStatusList{} }
func (*REST) Destroy()                {}
func (*REST) NamespaceScoped() bool   { return false }
func (*REST) GetSingularName() string { return "componentstatus" }
func (*REST) ShortNames() []string    { return []string{"cs"} }

// Get probes one component.
func (r *REST) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	check, ok := r.checks[name]
	if !ok {
		return nil, apierrors.NewNotFound(corev1.Resource("componentstatus"), name)
	}
	return status(ctx, name, check), nil
}

// List probes every component at once; selectors match metadata only.
func (r *REST) List(ctx context.Context, options *metainternalversion.ListOptions) (runtime.Object, error) {
	label, field := labels.Everything(), fields.Everything()
	if options != nil && options.LabelSelector != nil {
		label = options.LabelSelector
	}
	if options != nil && options.FieldSelector != nil {
		field = options.FieldSelector
	}
	statuses := make(chan corev1.ComponentStatus, len(r.checks))
	for name, check := range r.checks {
		go func() { statuses <- *status(ctx, name, check) }()
	}
	list := &corev1.ComponentStatusList{Items: []corev1.ComponentStatus{}}
	for range r.checks {
		s := <-statuses
		if label.Matches(labels.Set(s.Labels)) && field.Matches(generic.AddObjectMetaFieldsSet(fields.Set{}, &s.ObjectMeta, false)) {
			list.Items = append(list.Items, s)
		}
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list, nil
}

func status(ctx context.Context, name string, check Check) *corev1.ComponentStatus {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	healthy, message, err := check(ctx)
	condition := corev1.ComponentCondition{Type: corev1.ComponentHealthy, Status: corev1.ConditionFalse, Message: message}
	switch {
	case err != nil:
		condition.Status, condition.Error = corev1.ConditionUnknown, err.Error()
	case healthy:
		condition.Status = corev1.ConditionTrue
	}
	return &corev1.ComponentStatus{ObjectMeta: metav1.ObjectMeta{Name: name}, Conditions: []corev1.ComponentCondition{condition}}
}
