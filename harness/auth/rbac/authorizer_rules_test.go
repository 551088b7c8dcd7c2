package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// resourceRequest is a resource request of verb on resource ("res" or
// "res/sub") in group, named name.
func resourceRequest(verb, group, resource, name string) authorizer.AttributesRecord {
	a := authorizer.AttributesRecord{
		User: &user.DefaultInfo{Name: "alice"}, Verb: verb, APIGroup: group, APIVersion: "v1",
		Resource: resource, Name: name, Namespace: "default", ResourceRequest: true,
	}
	for i := range resource {
		if resource[i] == '/' {
			a.Resource, a.Subresource = resource[:i], resource[i+1:]
			break
		}
	}
	return a
}

func pathRequest(verb, path string) authorizer.AttributesRecord {
	return authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "alice"}, Verb: verb, Path: path}
}

func TestRuleAllows(t *testing.T) {
	t.Parallel()
	pods := rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	for _, tc := range []struct {
		name    string
		rule    rbacv1.PolicyRule
		request authorizer.AttributesRecord
		want    bool
	}{
		// verbs
		{"verb listed", pods, resourceRequest("get", "", "pods", "web"), true},
		{"verb not listed", pods, resourceRequest("delete", "", "pods", "web"), false},
		{"verb star", rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{""}, Resources: []string{"pods"}}, resourceRequest("escalate", "", "pods", ""), true},
		{"verbs are case-sensitive", pods, resourceRequest("GET", "", "pods", ""), false},
		{"no verbs", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}}, resourceRequest("get", "", "pods", ""), false},

		// API groups
		{"core group", pods, resourceRequest("get", "", "pods", ""), true},
		{"other group", pods, resourceRequest("get", "apps", "pods", ""), false},
		{"group star", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{"*"}, Resources: []string{"deployments"}}, resourceRequest("get", "apps", "deployments", ""), true},
		{"group star covers core", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{"*"}, Resources: []string{"pods"}}, resourceRequest("get", "", "pods", ""), true},
		{"no groups", rbacv1.PolicyRule{Verbs: []string{"get"}, Resources: []string{"pods"}}, resourceRequest("get", "", "pods", ""), false},
		{"group is not a prefix", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}}, resourceRequest("get", "apps.example.com", "deployments", ""), false},

		// resources and subresources
		{"resource star", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"*"}}, resourceRequest("get", "", "secrets", ""), true},
		{"resource star covers subresources", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"*"}}, resourceRequest("get", "", "pods/log", ""), true},
		{"resource does not cover its subresource", pods, resourceRequest("get", "", "pods/log", ""), false},
		{"subresource does not cover its resource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}}, resourceRequest("get", "", "pods", ""), false},
		{"resource/subresource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}}, resourceRequest("get", "", "pods/log", ""), true},
		{"other subresource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}}, resourceRequest("get", "", "pods/exec", ""), false},
		{"star/subresource", rbacv1.PolicyRule{Verbs: []string{"update"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}, resourceRequest("update", "apps", "deployments/scale", ""), true},
		{"star/subresource is not the resource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"*/status"}}, resourceRequest("get", "", "pods", ""), false},
		{"star/subresource needs the whole subresource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"*/tus"}}, resourceRequest("get", "", "pods/status", ""), false},
		// upstream has no "resource/*": it matches only literally.
		{"resource/star is literal", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/*"}}, resourceRequest("get", "", "pods/log", ""), false},
		{"resource/star is not the resource", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/*"}}, resourceRequest("get", "", "pods", ""), false},
		{"resource is not a prefix", pods, resourceRequest("get", "", "podsx", ""), false},

		// resource names
		{"no names: any name", pods, resourceRequest("get", "", "pods", "web"), true},
		{"no names: no name", pods, resourceRequest("list", "", "pods", ""), true},
		{"name listed", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"db", "web"}}, resourceRequest("get", "", "pods", "web"), true},
		{"name not listed", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"db"}}, resourceRequest("get", "", "pods", "web"), false},
		{"names do not allow list", rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"db"}}, resourceRequest("list", "", "pods", ""), false},
		{"names apply to subresources", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}, ResourceNames: []string{"web"}}, resourceRequest("get", "", "pods/log", "web"), true},
		{"name star is literal", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"*"}}, resourceRequest("get", "", "pods", "web"), false},

		// resource rules and non-resource requests do not mix
		{"resource rule, path request", rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}, pathRequest("get", "/healthz"), false},
		{"path rule, resource request", rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}, resourceRequest("get", "", "pods", ""), false},

		// non-resource URLs
		{"url exact", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, pathRequest("get", "/healthz"), true},
		{"url other", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, pathRequest("get", "/healthz/ping"), false},
		{"url verb", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, pathRequest("post", "/healthz"), false},
		{"url star", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"*"}}, pathRequest("get", "/anything/at/all"), true},
		{"url trailing star: below", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz/*"}}, pathRequest("get", "/healthz/etcd"), true},
		{"url trailing star: deeper", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/apis/*"}}, pathRequest("get", "/apis/apps/v1"), true},
		{"url trailing star: not the parent", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz/*"}}, pathRequest("get", "/healthz"), false},
		{"url trailing star without slash is a prefix", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz*"}}, pathRequest("get", "/healthzzz"), true},
		{"url trailing stars", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/logs/**"}}, pathRequest("get", "/logs/kube.log"), true},
		{"url inner star is literal", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/apis/*/v1"}}, pathRequest("get", "/apis/apps/v1"), false},
		{"url star verb", rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"/metrics"}}, pathRequest("get", "/metrics"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := RuleAllows(tc.request, &tc.rule); got != tc.want {
				t.Errorf("RuleAllows(%+v) = %v, want %v", tc.rule, got, tc.want)
			}
		})
	}
}
