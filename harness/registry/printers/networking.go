package printers

import (
	"fmt"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
)

func networking(s *set) {
	r := networkingv1.Resource
	add[networkingv1.Ingress, networkingv1.IngressList](s, ingressColumns, cells(printIngress), r("ingresses"))
	add[networkingv1.IngressClass, networkingv1.IngressClassList](s, ingressClassColumns, cells(printIngressClass), r("ingressclasses"))
	add[networkingv1.NetworkPolicy, networkingv1.NetworkPolicyList](s, networkPolicyColumns, cells(printNetworkPolicy), r("networkpolicies"))
	add[networkingv1.IPAddress, networkingv1.IPAddressList](s, ipAddressColumns, cells(printIPAddress), r("ipaddresses"))
	add[networkingv1.ServiceCIDR, networkingv1.ServiceCIDRList](s, serviceCIDRColumns, cells(printServiceCIDR), r("servicecidrs"))
}

var ingressColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Class", Type: "string", Description: "The name of the IngressClass resource that should be used for additional configuration"},
	{Name: "Hosts", Type: "string", Description: "Hosts that incoming requests are matched against before the ingress rule"},
	{Name: "Address", Type: "string", Description: "Address is a list containing ingress points for the load-balancer"},
	{Name: "Ports", Type: "string", Description: "Ports of TLS configurations that open"},
	ageColumn,
}

// printIngress: ADDRESS is the load balancer's sorted IPs or hostnames,
// unclipped as in the wide view the server prints; PORTS is 80, and 443
// with TLS.
func printIngress(ing *networkingv1.Ingress) []interface{} {
	className := "<none>"
	if ing.Spec.IngressClassName != nil {
		className = *ing.Spec.IngressClassName
	}
	addresses := sets.New[string]()
	for _, in := range ing.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			addresses.Insert(in.IP)
		} else if in.Hostname != "" {
			addresses.Insert(in.Hostname)
		}
	}
	ports := "80"
	if len(ing.Spec.TLS) != 0 {
		ports = "80, 443"
	}
	return []interface{}{ing.Name, className, ingressHosts(ing.Spec.Rules), strings.Join(sets.List(addresses), ","), ports, age(ing.CreationTimestamp)}
}

// ingressHosts is formatHosts: the hosts of the first three rules ("*" for
// none) and " + N more..." counting every further rule, host or not.
func ingressHosts(rules []networkingv1.IngressRule) string {
	const max = 3
	var list []string
	more := false
	for _, rule := range rules {
		if len(list) == max {
			more = true
		}
		if !more && rule.Host != "" {
			list = append(list, rule.Host)
		}
	}
	if len(list) == 0 {
		return "*"
	}
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, len(rules)-max)
	}
	return ret
}

var ingressClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Controller", Type: "string", Description: "Controller that is responsible for handling this class"},
	{Name: "Parameters", Type: "string", Description: "A reference to a resource with additional parameters"},
	ageColumn,
}

func printIngressClass(ic *networkingv1.IngressClass) []interface{} {
	name := ic.Name
	if ic.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
		name += " (default)"
	}
	parameters := "<none>"
	if p := ic.Spec.Parameters; p != nil {
		parameters = p.Kind
		if p.APIGroup != nil {
			parameters += "." + *p.APIGroup
		}
		parameters += "/" + p.Name
	}
	return []interface{}{name, ic.Spec.Controller, parameters, age(ic.CreationTimestamp)}
}

var networkPolicyColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Pod-Selector", Type: "string", Description: networkingv1.NetworkPolicySpec{}.SwaggerDoc()["podSelector"]},
	ageColumn,
}

func printNetworkPolicy(np *networkingv1.NetworkPolicy) []interface{} {
	return []interface{}{np.Name, metav1.FormatLabelSelector(&np.Spec.PodSelector), age(np.CreationTimestamp)}
}

// ipAddressColumns has no AGE though the cells end with it, as upstream's:
// kubectl prints the columns it is given.
var ipAddressColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "ParentRef", Type: "string", Description: networkingv1.IPAddressSpec{}.SwaggerDoc()["parentRef"]},
}

// printIPAddress: PARENTREF is resource.group[/namespace]/name.
func printIPAddress(ip *networkingv1.IPAddress) []interface{} {
	parent := "<none>"
	if ref := ip.Spec.ParentRef; ref != nil {
		gr := schema.GroupResource{Group: ref.Group, Resource: ref.Resource}
		parent = strings.ToLower(gr.String())
		if ref.Namespace != "" {
			parent += "/" + ref.Namespace
		}
		parent += "/" + ref.Name
	}
	return []interface{}{ip.Name, parent, age(ip.CreationTimestamp)}
}

var serviceCIDRColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "CIDRs", Type: "string", Description: networkingv1.ServiceCIDRSpec{}.SwaggerDoc()["cidrs"]},
	ageColumn,
}

func printServiceCIDR(sc *networkingv1.ServiceCIDR) []interface{} {
	return []interface{}{sc.Name, strings.Join(sc.Spec.CIDRs, ","), age(sc.CreationTimestamp)}
}
