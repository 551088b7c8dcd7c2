package builtin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	genericrest "k8s.io/apiserver/pkg/registry/generic/rest"
	"k8s.io/apiserver/pkg/registry/rest"
	translator "k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
	netutils "k8s.io/utils/net"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// proxyMethods are the methods the proxy subresources take;
// upgradeMethods those of exec, attach and portforward.
var (
	proxyMethods   = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	upgradeMethods = []string{"GET", "POST"}
)

// podConnect serves what kube-apiserver forwards to a pod's kubelet —
// pods/log, exec, attach and portforward — and pods/proxy, which forwards
// to the pod's IP. The kubelet is found through the pod's node
// (kubeletConnection); a pod with no node has no log yet (an empty one) and
// cannot be exec'd into (400), as upstream.
func podConnect(k *registry.Kind) {
	kubelet := newKubeletConnection()
	proxyTransport := insecureTransport()
	addExtra(k, func(store *genericregistry.Store) map[string]rest.Storage {
		pods := &podConnector{store: store, kubelet: kubelet, proxyTransport: proxyTransport}
		return map[string]rest.Storage{
			"log":         &podLogREST{pods},
			"exec":        &podStreamREST{pods: pods, newOptions: func() runtime.Object { return &corev1.PodExecOptions{} }},
			"attach":      &podStreamREST{pods: pods, newOptions: func() runtime.Object { return &corev1.PodAttachOptions{} }},
			"portforward": &podStreamREST{pods: pods, newOptions: func() runtime.Object { return &corev1.PodPortForwardOptions{} }},
			"proxy":       &podProxyREST{pods},
		}
	})
	addLink(k, func(storage map[schema.GroupVersion]map[string]rest.Storage) error {
		nodes, ok := storage[corev1.SchemeGroupVersion]["nodes"].(rest.Getter)
		if !ok {
			return fmt.Errorf("pods' kubelet connection needs the nodes registry")
		}
		kubelet.nodes = nodes
		return nil
	})
}

// podConnector finds pods and their kubelets; its transports are closed
// when the registry is destroyed (the server stops).
type podConnector struct {
	store          *genericregistry.Store
	kubelet        *kubeletConnection
	proxyTransport *http.Transport
}

func (p *podConnector) get(ctx context.Context, name string) (*corev1.Pod, error) {
	obj, err := p.store.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.Pod), nil
}

func (p *podConnector) destroy() {
	p.kubelet.close()
	p.proxyTransport.CloseIdleConnections()
}

// container is upstream's validateContainer: the named container, or the
// only one when none is named.
func container(name string, pod *corev1.Pod) (string, error) {
	if name == "" {
		switch len(pod.Spec.Containers) {
		case 1:
			return pod.Spec.Containers[0].Name, nil
		case 0:
			return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name))
		}
		return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %s", pod.Name, containerNames(pod)))
	}
	for _, n := range containerNames(pod) {
		if n == name {
			return name, nil
		}
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
}

// containerNames are the pod's init, regular and ephemeral containers'
// names, in upstream's VisitContainers order.
func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return names
}

// kubeletURL is the URL of path on the kubelet of the pod's node.
func (p *podConnector) kubeletURL(ctx context.Context, pod *corev1.Pod, path string, query url.Values) (*url.URL, http.RoundTripper, error) {
	info, err := p.kubelet.info(ctx, pod.Spec.NodeName)
	if err != nil {
		return nil, nil, err
	}
	return &url.URL{Scheme: "https", Host: net.JoinHostPort(info.host, info.port), Path: path, RawQuery: query.Encode()}, info.transport, nil
}

// podLogREST is pods/log: the kubelet's containerLogs, streamed.
type podLogREST struct{ pods *podConnector }

var (
	_ rest.GetterWithOptions = &podLogREST{}
	_ rest.StorageMetadata   = &podLogREST{}
)

func (r *podLogREST) New() runtime.Object               { return &corev1.Pod{} }
func (r *podLogREST) Destroy()                          { r.pods.destroy() }
func (r *podLogREST) ProducesMIMETypes(string) []string { return []string{"text/plain"} }
func (r *podLogREST) ProducesObject(string) any         { return "" }
func (r *podLogREST) NewGetOptions() (runtime.Object, bool, string) {
	return &corev1.PodLogOptions{}, false, ""
}

func (r *podLogREST) Get(ctx context.Context, name string, opts runtime.Object) (runtime.Object, error) {
	logOpts, ok := opts.(*corev1.PodLogOptions)
	if !ok {
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	if logOpts.Stream == nil {
		all := corev1.LogStreamAll
		logOpts.Stream = &all
	}
	if errs := validation.PodLogOptions(logOpts); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Kind: "PodLogOptions"}, name, errs)
	}
	pod, err := r.pods.get(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := container(logOpts.Container, pod)
	if err != nil {
		return nil, err
	}
	streamer := &genericrest.LocationStreamer{
		ContentType:     "text/plain",
		Flush:           logOpts.Follow,
		ResponseChecker: genericrest.NewGenericHttpResponseChecker(corev1.Resource("pods/log"), name),
		RedirectChecker: genericrest.PreventRedirects,
	}
	if pod.Spec.NodeName == "" {
		return streamer, nil // not scheduled: an empty log
	}
	streamer.Location, streamer.Transport, err = r.pods.kubeletURL(ctx, pod, fmt.Sprintf("/containerLogs/%s/%s/%s", pod.Namespace, pod.Name, c), logQuery(logOpts))
	return streamer, err
}

// logQuery is the kubelet's query for opts, as upstream's LogLocation.
func logQuery(opts *corev1.PodLogOptions) url.Values {
	q := url.Values{}
	if opts.Follow {
		q.Add("follow", "true")
	}
	if opts.Previous {
		q.Add("previous", "true")
	}
	if opts.Timestamps {
		q.Add("timestamps", "true")
	}
	if opts.SinceSeconds != nil {
		q.Add("sinceSeconds", strconv.FormatInt(*opts.SinceSeconds, 10))
	}
	if opts.SinceTime != nil {
		q.Add("sinceTime", opts.SinceTime.Format("2006-01-02T15:04:05Z07:00"))
	}
	if opts.TailLines != nil {
		q.Add("tailLines", strconv.FormatInt(*opts.TailLines, 10))
	}
	if opts.LimitBytes != nil {
		q.Add("limitBytes", strconv.FormatInt(*opts.LimitBytes, 10))
	}
	q.Add("stream", *opts.Stream)
	return q
}

// podStreamREST is pods/exec, pods/attach or pods/portforward: an upgraded
// connection proxied to the kubelet. A client speaking WebSockets (kubectl
// since v1.30) is translated to the kubelet's SPDY at the server, as
// kube-apiserver does for nodes that do not declare WebSocket support.
type podStreamREST struct {
	pods       *podConnector
	newOptions func() runtime.Object
}

var _ rest.Connecter = &podStreamREST{}

func (r *podStreamREST) New() runtime.Object      { return r.newOptions() }
func (r *podStreamREST) Destroy()                 {}
func (r *podStreamREST) ConnectMethods() []string { return upgradeMethods }
func (r *podStreamREST) NewConnectOptions() (runtime.Object, bool, string) {
	return r.newOptions(), false, ""
}

func (r *podStreamREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	pod, err := r.pods.get(ctx, name)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	var path string
	var streams translator.Options
	switch o := opts.(type) {
	case *corev1.PodExecOptions:
		c, err := container(o.Container, pod)
		if err != nil {
			return nil, err
		}
		path, streams = fmt.Sprintf("/exec/%s/%s/%s", pod.Namespace, pod.Name, c), translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY}
		streamQuery(q, streams)
		for _, arg := range o.Command {
			q.Add("command", arg)
		}
	case *corev1.PodAttachOptions:
		c, err := container(o.Container, pod)
		if err != nil {
			return nil, err
		}
		path, streams = fmt.Sprintf("/attach/%s/%s/%s", pod.Namespace, pod.Name, c), translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY}
		streamQuery(q, streams)
	case *corev1.PodPortForwardOptions:
		path = fmt.Sprintf("/portForward/%s/%s", pod.Namespace, pod.Name)
		if len(o.Ports) > 0 {
			ports := make([]string, len(o.Ports))
			for i, p := range o.Ports {
				ports[i] = strconv.Itoa(int(p))
			}
			q.Add(corev1.PortHeader, strings.Join(ports, ","))
		}
	default:
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	if pod.Spec.NodeName == "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", name))
	}
	location, transport, err := r.pods.kubeletURL(ctx, pod, path, q)
	if err != nil {
		return nil, err
	}
	handler := proxyHandler(location, transport, false, true, responder)
	if _, portForward := opts.(*corev1.PodPortForwardOptions); portForward {
		return translator.NewTranslatingHandler(handler, translator.NewTunnelingHandler(handler), wsstream.IsWebSocketRequestWithTunnelingProtocol), nil
	}
	return translator.NewTranslatingHandler(handler, translator.NewStreamTranslatorHandler(location, transport, 0, streams), wsstream.IsWebSocketRequestWithStreamCloseProtocol), nil
}

// streamQuery adds the kubelet's stream parameters, as upstream's
// streamParams.
func streamQuery(q url.Values, o translator.Options) {
	for _, s := range []struct {
		on   bool
		name string
	}{{o.Stdin, corev1.ExecStdinParam}, {o.Stdout, corev1.ExecStdoutParam}, {o.Stderr, corev1.ExecStderrParam}, {o.Tty, corev1.ExecTTYParam}} {
		if s.on {
			q.Add(s.name, "1")
		}
	}
}

// podProxyREST is pods/proxy: HTTP to the pod's IP, at the port named
// "pod:port" (or "scheme:pod:port") or the first container port.
type podProxyREST struct{ pods *podConnector }

var _ rest.Connecter = &podProxyREST{}

func (r *podProxyREST) New() runtime.Object      { return &corev1.PodProxyOptions{} }
func (r *podProxyREST) Destroy()                 {}
func (r *podProxyREST) ConnectMethods() []string { return proxyMethods }
func (r *podProxyREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodProxyOptions{}, true, "path"
}

func (r *podProxyREST) Connect(ctx context.Context, id string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	proxyOpts, ok := opts.(*corev1.PodProxyOptions)
	if !ok {
		return nil, fmt.Errorf("Invalid options object: %#v", opts)
	}
	scheme, name, port, valid := utilnet.SplitSchemeNamePort(id)
	if !valid {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid pod request %q", id))
	}
	pod, err := r.pods.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if port == "" {
		for _, c := range pod.Spec.Containers {
			if len(c.Ports) > 0 {
				port = strconv.Itoa(int(c.Ports[0].ContainerPort))
				break
			}
		}
	}
	var podIP string
	if len(pod.Status.PodIPs) > 0 {
		podIP = pod.Status.PodIPs[0].IP
	}
	if ip := netutils.ParseIPSloppy(podIP); ip == nil || !ip.IsGlobalUnicast() {
		return nil, apierrors.NewBadRequest("address not allowed")
	}
	location := &url.URL{Scheme: scheme, Host: podIP}
	if port != "" {
		location.Host = net.JoinHostPort(podIP, port)
	} else if strings.Contains(podIP, ":") {
		location.Host = "[" + podIP + "]"
	}
	location.Path = utilnet.JoinPreservingTrailingSlash(location.Path, proxyOpts.Path)
	return proxyHandler(location, r.pods.proxyTransport, true, false, responder), nil
}

// addExtra adds subresources to a kind's, keeping those set before.
func addExtra(k *registry.Kind, extra func(*genericregistry.Store) map[string]rest.Storage) {
	prev := k.Extra
	k.Extra = func(store *genericregistry.Store) (map[string]rest.Storage, error) {
		out := map[string]rest.Storage{}
		if prev != nil {
			m, err := prev(store)
			if err != nil {
				return nil, err
			}
			for name, s := range m {
				out[name] = s
			}
		}
		for name, s := range extra(store) {
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("%s/%s served twice", k.Resource, name)
			}
			out[name] = s
		}
		return out, nil
	}
}

// addLink adds a link to a kind's, keeping the one set before.
func addLink(k *registry.Kind, link func(map[schema.GroupVersion]map[string]rest.Storage) error) {
	prev := k.Link
	k.Link = func(storage map[schema.GroupVersion]map[string]rest.Storage) error {
		if prev != nil {
			if err := prev(storage); err != nil {
				return err
			}
		}
		return link(storage)
	}
}
