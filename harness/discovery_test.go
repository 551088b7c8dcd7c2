package harness_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// notServedYet are the resources a v1.37 kube-apiserver serves that memkube
// does not serve yet, as "groupVersion/resource". The test fails when one of
// them appears, so the list stays true.
var notServedYet = []string{}

// betaStorageVersion are the resources kube-apiserver v1.37 stores in a beta
// version (its storage factory's overrides) and memkube in v1, so their
// storage version hashes differ.
var betaStorageVersion = []string{
	"certificates.k8s.io/v1/clustertrustbundles",
	"certificates.k8s.io/v1/podcertificaterequests",
	"resource.k8s.io/v1/devicetaintrules",
	"storagemigration.k8s.io/v1/storageversionmigrations",
}

// TestDiscoveryMatchesKubeAPIServer compares every resource memkube lists in
// legacy discovery with what a real v1.37.1 kube-apiserver lists
// (testdata/kube-apiserver-1.37): names, kinds, scope, verbs, short names,
// categories and storage version hashes.
func TestDiscoveryMatchesKubeAPIServer(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	client, err := discovery.NewDiscoveryClientForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]metav1.APIResource{}
	files, err := filepath.Glob("testdata/kube-apiserver-1.37/api*_v*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("reference discovery files: %v %v", files, err)
	}
	for _, f := range files {
		var list metav1.APIResourceList
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range list.APIResources {
			want[list.GroupVersion+"/"+r.Name] = r
		}
	}
	// legacy discovery documents, as the reference was read (aggregated
	// discovery carries no storage version hashes).
	got := map[string]metav1.APIResource{}
	groups, err := client.ServerGroups()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/v1"}
	for _, g := range groups.Groups {
		if g.Name == "" {
			continue
		}
		for _, v := range g.Versions {
			paths = append(paths, "/apis/"+v.GroupVersion)
		}
	}
	for _, path := range paths {
		data, err := client.RESTClient().Get().AbsPath(path).SetHeader("Accept", "application/json").DoRaw(t.Context())
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		var list metav1.APIResourceList
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		for _, r := range list.APIResources {
			got[list.GroupVersion+"/"+r.Name] = r
		}
	}
	for key, w := range want {
		g, ok := got[key]
		if slices.Contains(notServedYet, key) {
			if ok {
				t.Errorf("%s is served now: remove it from notServedYet", key)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: not served", key)
			continue
		}
		if slices.Contains(betaStorageVersion, key) {
			g.StorageVersionHash = w.StorageVersionHash
		}
		slices.Sort(g.Verbs)
		slices.Sort(w.Verbs)
		if d := diffResource(g, w); d != "" {
			t.Errorf("%s: %s", key, d)
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: served, but kube-apiserver does not serve it", key)
		}
	}
}

func diffResource(got, want metav1.APIResource) string {
	var d []string
	check := func(field string, g, w any) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			d = append(d, field+" "+string(gj)+", want "+string(wj))
		}
	}
	check("singularName", got.SingularName, want.SingularName)
	check("namespaced", got.Namespaced, want.Namespaced)
	check("group", got.Group, want.Group)
	check("version", got.Version, want.Version)
	check("kind", got.Kind, want.Kind)
	check("verbs", got.Verbs, want.Verbs)
	check("shortNames", got.ShortNames, want.ShortNames)
	check("categories", got.Categories, want.Categories)
	check("storageVersionHash", got.StorageVersionHash, want.StorageVersionHash)
	return strings.Join(d, "; ")
}

// TestDiscoveryGroupsMatchKubeAPIServer compares the /apis documents with a
// real v1.37.1 kube-apiserver's: legacy (the aggregator's, from the
// APIServices) group for group, in order, and aggregated group, version
// and resource for resource, in order (testdata/kube-apiserver-1.37).
func TestDiscoveryGroupsMatchKubeAPIServer(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	client, err := discovery.NewDiscoveryClientForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, accept, file string }{
		{"legacy", "application/json", "apis.json"},
		{"aggregated", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "aggregated_apis.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := client.RESTClient().Get().AbsPath("/apis").SetHeader("Accept", tc.accept).DoRaw(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata/kube-apiserver-1.37", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(data, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			gj, _ := json.MarshalIndent(g, "", " ")
			wj, _ := json.MarshalIndent(w, "", " ")
			if string(gj) != string(wj) {
				gl, wl := strings.Split(string(gj), "\n"), strings.Split(string(wj), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("/apis (%s) differs from kube-apiserver's at line %d: got %q, want %q", tc.accept, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("/apis (%s): got %d lines, want %d", tc.accept, len(gl), len(wl))
			}
		})
	}
}
