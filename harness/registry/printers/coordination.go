package printers

import (
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func coordination(s *set) {
	add[coordinationv1.Lease, coordinationv1.LeaseList](s, leaseColumns, cells(printLease), coordinationv1.Resource("leases"))
}

var leaseColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Holder", Type: "string", Description: coordinationv1.LeaseSpec{}.SwaggerDoc()["holderIdentity"]},
	ageColumn,
}

func printLease(l *coordinationv1.Lease) []interface{} {
	return []interface{}{l.Name, deref(l.Spec.HolderIdentity), age(l.CreationTimestamp)}
}
