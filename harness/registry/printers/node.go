package printers

import (
	nodev1 "k8s.io/api/node/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(s *set) {
	add[nodev1.RuntimeClass, nodev1.RuntimeClassList](s, runtimeClassColumns, cells(printRuntimeClass), nodev1.Resource("runtimeclasses"))
}

var runtimeClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	// upstream looks "handler" up in ObjectMeta's docs: the description is empty
	{Name: "Handler", Type: "string", Description: objectMetaDoc["handler"]},
	ageColumn,
}

func printRuntimeClass(rc *nodev1.RuntimeClass) []interface{} {
	return []interface{}{rc.Name, rc.Handler, age(rc.CreationTimestamp)}
}
