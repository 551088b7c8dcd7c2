// Package controllers holds what memkube's in-process controllers share;
// each controller is a package below it (namespace, gc, serviceaccount,
// resourcequota, storageprotection, disruption), and ClusterRole
// aggregation is harness/auth/rbac/aggregation.
package controllers

import (
	"strings"

	"k8s.io/client-go/rest"
)

// UserAgent is the User-Agent of kube-controller-manager's client for the
// controller name (kube-controller-manager/v1.37.1 (...)/name): what a
// controller writes carries managedFields of manager
// "kube-controller-manager", as in a cluster.
func UserAgent(name string) string {
	ua := rest.DefaultKubernetesUserAgent()
	if i := strings.IndexByte(ua, '/'); i >= 0 {
		ua = ua[i:]
	}
	return "kube-controller-manager" + ua + "/" + name
}
