package printers

import (
	"strconv"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func discovery(s *set) {
	add[discoveryv1.EndpointSlice, discoveryv1.EndpointSliceList](s, endpointSliceColumns, cells(printEndpointSlice), discoveryv1.Resource("endpointslices"))
}

var endpointSliceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "AddressType", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["addressType"]},
	{Name: "Ports", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["ports"]},
	{Name: "Endpoints", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["endpoints"]},
	ageColumn,
}

// printEndpointSlice lists the first three ports (number, else name, else
// "*") and addresses.
func printEndpointSlice(es *discoveryv1.EndpointSlice) []interface{} {
	const max = 3
	var ports []string
	for _, p := range es.Ports {
		if len(ports) == max {
			break
		}
		switch {
		case p.Port != nil:
			ports = append(ports, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			ports = append(ports, *p.Name)
		default:
			ports = append(ports, "*")
		}
	}
	var addresses []string
	count := 0
	for _, e := range es.Endpoints {
		for _, a := range e.Addresses {
			if len(addresses) < max {
				addresses = append(addresses, a)
			}
			count++
		}
	}
	return []interface{}{es.Name, string(es.AddressType), listWithMore(ports, len(es.Ports) > max, len(es.Ports), max),
		listWithMore(addresses, count > max, count, max), age(es.CreationTimestamp)}
}
