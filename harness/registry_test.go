package harness_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

func newClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{})
	c, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func deployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			},
		},
	}
}

// TestSpecStatusGeneration checks the common strategy on a Deployment:
// status is dropped on create and kept on spec updates, generation moves only
// with the spec, and the status subresource changes status only.
func TestSpecStatusGeneration(t *testing.T) {
	ctx := t.Context()
	deployments := newClient(t).AppsV1().Deployments("default")
	d := deployment("web")
	d.Status.Replicas = 7
	created, err := deployments.Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created.Generation != 1 || created.Status.Replicas != 0 || created.UID == "" || created.CreationTimestamp.IsZero() {
		t.Fatalf("created: generation %d, status.replicas %d, uid %q, created %v; want 1, 0, set, set",
			created.Generation, created.Status.Replicas, created.UID, created.CreationTimestamp)
	}

	created.Status.Replicas = 1
	withStatus, err := deployments.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if withStatus.Status.Replicas != 1 || withStatus.Generation != 1 {
		t.Fatalf("after status update: status.replicas %d generation %d, want 1 and 1", withStatus.Status.Replicas, withStatus.Generation)
	}

	withStatus.Labels = map[string]string{"tier": "front"}
	labelled, err := deployments.Update(ctx, withStatus, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if labelled.Generation != 1 {
		t.Fatalf("metadata-only update: generation %d, want 1", labelled.Generation)
	}

	labelled.Spec.Replicas = ptr.To[int32](3)
	labelled.Status.Replicas = 99
	scaled, err := deployments.Update(ctx, labelled, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if scaled.Generation != 2 || scaled.Status.Replicas != 1 {
		t.Fatalf("spec update: generation %d status.replicas %d, want 2 and the stored 1", scaled.Generation, scaled.Status.Replicas)
	}

	scaled.Spec.Replicas = ptr.To[int32](10)
	scaled.Status.Replicas = 2
	statusOnly, err := deployments.UpdateStatus(ctx, scaled, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *statusOnly.Spec.Replicas != 3 || statusOnly.Status.Replicas != 2 || statusOnly.Generation != 2 {
		t.Fatalf("status update with a spec change: spec.replicas %d status.replicas %d generation %d, want 3, 2, 2",
			*statusOnly.Spec.Replicas, statusOnly.Status.Replicas, statusOnly.Generation)
	}

	if _, err := deployments.UpdateStatus(ctx, deployment("missing"), metav1.UpdateOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("status update of a missing deployment: %v, want 404", err)
	}
}

// TestScaleSubresource reads and writes a Deployment's replicas through
// autoscaling/v1 Scale, as kubectl scale and the HPA controller do.
func TestScaleSubresource(t *testing.T) {
	ctx := t.Context()
	deployments := newClient(t).AppsV1().Deployments("default")
	if _, err := deployments.Create(ctx, deployment("web"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	scale, err := deployments.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if scale.Spec.Replicas != 1 || scale.Status.Selector != "app=web" {
		t.Fatalf("scale %+v, want 1 replica and selector app=web", scale)
	}
	scale.Spec.Replicas = 4
	if _, err := deployments.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := deployments.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Spec.Replicas != 4 || d.Generation != 2 {
		t.Fatalf("after scale: spec.replicas %d generation %d, want 4 and 2", *d.Spec.Replicas, d.Generation)
	}
	patch := []byte(`{"spec":{"replicas":-1}}`)
	_, err = deployments.Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{}, "scale")
	want := `Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Fatalf("negative scale: got %v, want %s", err, want)
	}
}

// TestServedVersions checks kinds served in a version other than their
// storage version: HorizontalPodAutoscaler (stored as autoscaling/v2) read as
// autoscaling/v1, and core events read through events.k8s.io/v1.
func TestServedVersions(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr.To[int32](1),
			MaxReplicas:    5,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{
					Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](60),
				}},
			}},
		},
	}
	if _, err := c.AutoscalingV2().HorizontalPodAutoscalers("default").Create(ctx, hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	v1, err := c.AutoscalingV1().HorizontalPodAutoscalers("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Spec.TargetCPUUtilizationPercentage == nil || *v1.Spec.TargetCPUUtilizationPercentage != 60 || v1.Spec.MaxReplicas != 5 {
		t.Fatalf("autoscaling/v1 view: %+v, want targetCPUUtilizationPercentage 60 and maxReplicas 5", v1.Spec)
	}
	v1.Spec.TargetCPUUtilizationPercentage = ptr.To[int32](80)
	if _, err := c.AutoscalingV1().HorizontalPodAutoscalers("default").Update(ctx, v1, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	v2, err := c.AutoscalingV2().HorizontalPodAutoscalers("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := v2.Spec.Metrics[0].Resource.Target.AverageUtilization; got == nil || *got != 80 || v2.Generation != 2 {
		t.Fatalf("autoscaling/v2 after a v1 update: %+v generation %d, want averageUtilization 80 and generation 2", v2.Spec.Metrics, v2.Generation)
	}

	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "web.1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Namespace: "default", Name: "web"},
		Reason:         "Scaled",
		Message:        "scaled up to 3",
		Type:           corev1.EventTypeNormal,
	}
	if _, err := c.CoreV1().Events("default").Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := c.EventsV1().Events("default").Get(ctx, "web.1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Note != "scaled up to 3" || got.Regarding.Name != "web" || got.Reason != "Scaled" {
		t.Fatalf("events.k8s.io/v1 view: note %q regarding %q reason %q", got.Note, got.Regarding.Name, got.Reason)
	}
	if _, err := c.EventsV1().Events("default").Create(ctx, &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "web.2"}, EventTime: metav1.NowMicro(),
		ReportingController: "memkube.io/test", ReportingInstance: "test", Action: "Scale", Reason: "Scaled",
		Regarding: corev1.ObjectReference{Kind: "Deployment", Namespace: "default", Name: "web"}, Type: corev1.EventTypeNormal,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := c.CoreV1().Events("default").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 {
		t.Fatalf("core events %d, want both events", len(list.Items))
	}
}

// TestPodBinding binds pods to nodes as a scheduler does, through
// pods/binding and the legacy bindings resource.
func TestPodBinding(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	pods := c.CoreV1().Pods("default")
	for _, name := range []string{"a", "b"} {
		if _, err := pods.Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	binding := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "a", Annotations: map[string]string{"scheduled-by": "test"}}, Target: corev1.ObjectReference{Kind: "Node", Name: "n1"}}
	if err := pods.Bind(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod, err := pods.Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "n1" || pod.Annotations["scheduled-by"] != "test" || len(pod.Status.Conditions) != 1 || pod.Status.Conditions[0].Type != corev1.PodScheduled {
		t.Fatalf("bound pod: nodeName %q annotations %v conditions %v", pod.Spec.NodeName, pod.Annotations, pod.Status.Conditions)
	}
	err = pods.Bind(ctx, binding, metav1.CreateOptions{})
	if want := `Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "n1"`; !apierrors.IsConflict(err) || err.Error() != want {
		t.Errorf("second binding: %v, want 409 %s", err, want)
	}
	legacy := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Target: corev1.ObjectReference{Name: "n2"}}
	if err := c.CoreV1().RESTClient().Post().Namespace("default").Resource("bindings").Body(legacy).Do(ctx).Error(); err != nil {
		t.Fatal(err)
	}
	if pod, err := pods.Get(ctx, "b", metav1.GetOptions{}); err != nil || pod.Spec.NodeName != "n2" {
		t.Fatalf("legacy binding: %v %v", pod.Spec.NodeName, err)
	}
}

// TestServiceAllocation allocates cluster IPs (as IPAddress objects) and
// node ports as kube-apiserver does, and releases them on delete.
func TestServiceAllocation(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	services := c.CoreV1().Services("default")
	port := []corev1.ServicePort{{Port: 80}}
	web, err := services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{Ports: port}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if web.Spec.ClusterIP != "10.0.0.2" || len(web.Spec.ClusterIPs) != 1 || web.Spec.IPFamilies[0] != corev1.IPv4Protocol || *web.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack {
		t.Fatalf("web: clusterIP %q clusterIPs %v families %v, want the first free address 10.0.0.2, IPv4 single-stack", web.Spec.ClusterIP, web.Spec.ClusterIPs, web.Spec.IPFamilies)
	}
	ip, err := c.NetworkingV1().IPAddresses().Get(ctx, "10.0.0.2", metav1.GetOptions{})
	if err != nil || ip.Spec.ParentRef.Name != "web" || ip.Labels[networkingv1.LabelManagedBy] != "ipallocator.k8s.io" {
		t.Fatalf("IPAddress of web: %+v %v", ip, err)
	}
	_, err = services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "same"}, Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.2", Ports: port}}, metav1.CreateOptions{})
	if want := `Service "same" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.2"]: failed to allocate IP 10.0.0.2: provided IP is already allocated`; !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("taken IP: %v\nwant %s", err, want)
	}
	np, err := services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "np"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: port}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if np.Spec.Ports[0].NodePort != 30000 || np.Spec.ClusterIP != "10.0.0.3" {
		t.Fatalf("np: nodePort %d clusterIP %s, want 30000 and 10.0.0.3", np.Spec.Ports[0].NodePort, np.Spec.ClusterIP)
	}
	_, err = services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "np2"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, NodePort: 30000}}}}, metav1.CreateOptions{})
	if want := `Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30000: provided port is already allocated`; !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("taken node port: %v\nwant %s", err, want)
	}
	if _, err := c.NetworkingV1().IPAddresses().Get(ctx, "10.0.0.4", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the failed create kept its IPAddress: %v", err)
	}
	headless, err := services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "headless"}, Spec: corev1.ServiceSpec{ClusterIP: "None", Ports: port}}, metav1.CreateOptions{})
	if err != nil || headless.Spec.ClusterIPs[0] != "None" {
		t.Fatalf("headless: %v %v", headless.Spec.ClusterIPs, err)
	}
	ext, err := services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "ext"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}}, metav1.CreateOptions{})
	if err != nil || ext.Spec.ClusterIP != "" {
		t.Fatalf("ExternalName: clusterIP %q %v", ext.Spec.ClusterIP, err)
	}
	if err := services.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NetworkingV1().IPAddresses().Get(ctx, "10.0.0.2", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("web's IPAddress after delete: %v, want it released", err)
	}
	// services may be created by PUT, and are allocated then too.
	put, err := services.Update(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "put"}, Spec: corev1.ServiceSpec{Ports: port}}, metav1.UpdateOptions{})
	if err != nil || put.Spec.ClusterIP == "" {
		t.Fatalf("PUT-created service: clusterIP %q %v", put.Spec.ClusterIP, err)
	}
	if _, err := c.NetworkingV1().IPAddresses().Get(ctx, put.Spec.ClusterIP, metav1.GetOptions{}); err != nil {
		t.Errorf("IPAddress of the PUT-created service: %v", err)
	}
}

// TestCreateOnUpdate checks which kinds PUT may create, as upstream's
// strategies say.
func TestCreateOnUpdate(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	meta := metav1.ObjectMeta{Name: "put", Namespace: "default"}
	if _, err := c.CoreV1().LimitRanges("default").Update(ctx, &corev1.LimitRange{ObjectMeta: meta}, metav1.UpdateOptions{}); err != nil {
		t.Errorf("PUT creating a LimitRange: %v", err)
	}
	if _, err := c.CoreV1().Endpoints("default").Update(ctx, &corev1.Endpoints{ObjectMeta: meta}, metav1.UpdateOptions{}); err != nil {
		t.Errorf("PUT creating Endpoints: %v", err)
	}
	_, err := c.CoreV1().ConfigMaps("default").Update(ctx, &corev1.ConfigMap{ObjectMeta: meta}, metav1.UpdateOptions{})
	if want := `configmaps "put" not found`; !apierrors.IsNotFound(err) || err.Error() != want {
		t.Errorf("PUT of a missing ConfigMap: %v, want %s", err, want)
	}
}

// TestCreateStatus checks what kube-apiserver sets on create: a pod starts
// Pending with its QoS class, a job gets its generated selector.
func TestCreateStatus(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	limits := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
	pod, err := c.CoreV1().Pods("default").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "nginx", Resources: corev1.ResourceRequirements{Limits: limits}}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// requests default to limits: Guaranteed.
	if pod.Status.Phase != corev1.PodPending || pod.Status.QOSClass != corev1.PodQOSGuaranteed {
		t.Errorf("pod status %s %s, want Pending Guaranteed", pod.Status.Phase, pod.Status.QOSClass)
	}
	job, err := c.BatchV1().Jobs("default").Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := string(job.UID)
	if job.Spec.Selector == nil || job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] != uid ||
		job.Spec.Template.Labels["job-name"] != "j" || job.Spec.Template.Labels[batchv1.ControllerUidLabel] != uid {
		t.Errorf("job selector %v template labels %v, want the generated ones", job.Spec.Selector, job.Spec.Template.Labels)
	}
}

// TestServiceRanges allocates from configured ranges, as kube-apiserver's
// --service-cluster-ip-range and --service-node-port-range.
func TestServiceRanges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Services: harness.ServiceOptions{ClusterIPRange: "172.20.0.0/28", NodePortRange: "31000-31001"}})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	kube, err := c.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil || kube.Spec.ClusterIP != "172.20.0.1" {
		t.Fatalf("default/kubernetes: clusterIP %q, %v; want 172.20.0.1", kube.Spec.ClusterIP, err)
	}
	cidr, err := c.NetworkingV1().ServiceCIDRs().Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil || len(cidr.Spec.CIDRs) != 1 || cidr.Spec.CIDRs[0] != "172.20.0.0/28" {
		t.Fatalf("ServiceCIDR kubernetes: %v, %v", cidr.Spec.CIDRs, err)
	}
	services := c.CoreV1().Services("default")
	nodePort := func(name string, port int32) (*corev1.Service, error) {
		return services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, NodePort: port}},
		}}, metav1.CreateOptions{})
	}
	np, err := nodePort("np", 0)
	if err != nil || np.Spec.ClusterIP != "172.20.0.2" || np.Spec.Ports[0].NodePort != 31000 {
		t.Fatalf("np: clusterIP %q nodePort %d, %v; want 172.20.0.2 and 31000", np.Spec.ClusterIP, np.Spec.Ports[0].NodePort, err)
	}
	_, err = nodePort("outside", 30000)
	if want := `Service "outside" is invalid: spec.ports[0].nodePort: Invalid value: 30000: provided port is not in the valid range. The range of valid ports is 31000-31001`; !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("node port outside the range: %v\nwant %s", err, want)
	}
	_, err = services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "far"}, Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.5", Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
	if want := `Service "far" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 172.20.0.0/28`; !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("cluster IP outside the range: %v\nwant %s", err, want)
	}
	for _, bad := range []harness.ServiceOptions{{ClusterIPRange: "fd00::/108"}, {ClusterIPRange: "10.0.0.0/31"}, {ClusterIPRange: "nope"}, {NodePortRange: "3-"}} {
		if _, err := harness.Start(ctx, harness.Options{Services: bad}); err == nil {
			t.Errorf("Start with %+v: got no error", bad)
		}
	}
}
