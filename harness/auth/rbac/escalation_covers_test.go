package rbac

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestCovers(t *testing.T) {
	t.Parallel()
	rule := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	url := func(verbs []string, urls ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: urls}
	}
	s := func(v ...string) []string { return v }
	for _, tc := range []struct {
		name        string
		owner       []rbacv1.PolicyRule
		servant     []rbacv1.PolicyRule
		wantMissing []rbacv1.PolicyRule
	}{
		{"equal", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)}, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)}, nil},
		{"nothing to cover", nil, nil, nil},
		{"split across owner rules",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil), rule(s("list"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get", "list"), s(""), s("pods"), nil)}, nil},
		{"verb star", []rbacv1.PolicyRule{rule(s("*"), s(""), s("pods"), nil)}, []rbacv1.PolicyRule{rule(s("get", "escalate"), s(""), s("pods"), nil)}, nil},
		{"star verb is not covered by verbs",
			[]rbacv1.PolicyRule{rule(s("get", "list"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("*"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("*"), s(""), s("pods"), nil)}},
		{"group star", []rbacv1.PolicyRule{rule(s("get"), s("*"), s("pods"), nil)}, []rbacv1.PolicyRule{rule(s("get"), s("", "apps"), s("pods"), nil)}, nil},
		{"missing group",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s("", "apps"), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s("apps"), s("pods"), nil)}},
		{"resource star", []rbacv1.PolicyRule{rule(s("get"), s(""), s("*"), nil)}, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods", "pods/log"), nil)}, nil},
		{"star/subresource", []rbacv1.PolicyRule{rule(s("get"), s(""), s("*/log"), nil)}, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods/log"), nil)}, nil},
		{"star/subresource does not cover the resource",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("*/log"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)}},
		{"resource does not cover its subresources",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods/log"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods/log"), nil)}},
		{"names within names", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("a", "b"))}, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("b"))}, nil},
		{"names within any name", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)}, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("b"))}, nil},
		{"any name is not within names",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("a"))},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), nil)}},
		{"other name",
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("a"))},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("a", "c"))},
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"), s("c"))}},
		{"url prefix", []rbacv1.PolicyRule{url(s("get"), "/healthz/*")}, []rbacv1.PolicyRule{url(s("get"), "/healthz/etcd", "/healthz/*")}, nil},
		{"url star", []rbacv1.PolicyRule{url(s("*"), "*")}, []rbacv1.PolicyRule{url(s("get", "post"), "/a", "/b/c")}, nil},
		{"url outside the prefix",
			[]rbacv1.PolicyRule{url(s("get"), "/healthz/*")},
			[]rbacv1.PolicyRule{url(s("get"), "/healthz", "/metrics")},
			[]rbacv1.PolicyRule{url(s("get"), "/healthz"), url(s("get"), "/metrics")}},
		{"resource rules do not cover urls",
			[]rbacv1.PolicyRule{rule(s("*"), s("*"), s("*"), nil)},
			[]rbacv1.PolicyRule{url(s("get"), "/metrics")},
			[]rbacv1.PolicyRule{url(s("get"), "/metrics")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, missing := covers(tc.owner, tc.servant)
			if ok != (len(tc.wantMissing) == 0) || !reflect.DeepEqual(missing, tc.wantMissing) {
				t.Errorf("covers = %v, %+v; want missing %+v", ok, missing, tc.wantMissing)
			}
		})
	}
}

func TestCompactRules(t *testing.T) {
	t.Parallel()
	rules := []rbacv1.PolicyRule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}},
		{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"a"}},
		{Verbs: []string{"delete"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"a"}},
		{Verbs: []string{"get"}, APIGroups: []string{"", "apps"}, Resources: []string{"pods"}},
	}
	want := []string{
		`{NonResourceURLs:["/metrics"], Verbs:["get"]}`,
		`{APIGroups:["" "apps"], Resources:["pods"], Verbs:["get"]}`,
		`{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`,
		`{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["get" "delete"]}`,
	}
	var got []string
	for _, r := range compactRules(rules) {
		got = append(got, compactString(r))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compactRules:\n got %q\nwant %q", got, want)
	}
	if got, want := compactString(rbacv1.PolicyRule{}), "{}"; got != want {
		t.Errorf("compactString(empty) = %q, want %q", got, want)
	}
}
