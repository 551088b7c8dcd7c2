package printers

import (
	"strings"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resourceGroup prints resource.k8s.io (named so as not to shadow the
// resource package).
func resourceGroup(s *set) {
	r := resourcev1.Resource
	add[resourcev1.DeviceClass, resourcev1.DeviceClassList](s, nameAgeColumns,
		cells(func(c *resourcev1.DeviceClass) []interface{} { return []interface{}{c.Name, age(c.CreationTimestamp)} }), r("deviceclasses"))
	add[resourcev1.ResourceClaim, resourcev1.ResourceClaimList](s, resourceClaimColumns, cells(printResourceClaim), r("resourceclaims"))
	add[resourcev1.ResourceClaimTemplate, resourcev1.ResourceClaimTemplateList](s, nameAgeColumns,
		cells(func(t *resourcev1.ResourceClaimTemplate) []interface{} {
			return []interface{}{t.Name, age(t.CreationTimestamp)}
		}), r("resourceclaimtemplates"))
	add[resourcev1.ResourceSlice, resourcev1.ResourceSliceList](s, resourceSliceColumns, cells(printResourceSlice), r("resourceslices"))
	add[resourcev1.DeviceTaintRule, resourcev1.DeviceTaintRuleList](s, deviceTaintRuleColumns, cells(printDeviceTaintRule), r("devicetaintrules"))
}

var nameAgeColumns = []metav1.TableColumnDefinition{nameColumn, ageColumn}

var resourceClaimColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "State", Type: "string", Description: "A summary of the current state (allocated, pending, reserved, etc.)."},
	ageColumn,
}

// printResourceClaim: STATE is deleted, pending or allocated[,reserved],
// comma-separated.
func printResourceClaim(c *resourcev1.ResourceClaim) []interface{} {
	var states []string
	if c.DeletionTimestamp != nil {
		states = append(states, "deleted")
	}
	if c.Status.Allocation == nil {
		if c.DeletionTimestamp == nil {
			states = append(states, "pending")
		}
	} else {
		states = append(states, "allocated")
		if len(c.Status.ReservedFor) > 0 {
			states = append(states, "reserved")
		}
	}
	return []interface{}{c.Name, strings.Join(states, ","), age(c.CreationTimestamp)}
}

var resourceSliceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Node", Type: "string", Description: resourcev1.ResourceSliceSpec{}.SwaggerDoc()["nodeName"]},
	{Name: "Driver", Type: "string", Description: resourcev1.ResourceSliceSpec{}.SwaggerDoc()["driver"]},
	{Name: "Pool", Type: "string", Description: resourcev1.ResourcePool{}.SwaggerDoc()["name"]},
	ageColumn,
}

func printResourceSlice(rs *resourcev1.ResourceSlice) []interface{} {
	return []interface{}{rs.Name, deref(rs.Spec.NodeName), rs.Spec.Driver, rs.Spec.Pool.Name, age(rs.CreationTimestamp)}
}

// deviceTaintRuleColumns show the taint, not the selector, which may be
// long CEL and is often empty.
var deviceTaintRuleColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Key", Type: "string", Description: resourcev1.DeviceTaint{}.SwaggerDoc()["key"]},
	{Name: "Value", Type: "string", Description: resourcev1.DeviceTaint{}.SwaggerDoc()["value"]},
	{Name: "Effect", Type: "string", Description: resourcev1.DeviceTaint{}.SwaggerDoc()["effect"]},
	{Name: "TimeAdded", Type: "string", Description: resourcev1.DeviceTaint{}.SwaggerDoc()["timeAdded"]},
	ageColumn,
}

func printDeviceTaintRule(r *resourcev1.DeviceTaintRule) []interface{} {
	timeAdded := ""
	if t := r.Spec.Taint.TimeAdded; t != nil {
		timeAdded = age(*t)
	}
	return []interface{}{r.Name, r.Spec.Taint.Key, r.Spec.Taint.Value, string(r.Spec.Taint.Effect), timeAdded, age(r.CreationTimestamp)}
}
