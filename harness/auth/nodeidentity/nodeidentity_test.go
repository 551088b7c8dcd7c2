package nodeidentity_test

import (
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/memkube/memkube/harness/auth/nodeidentity"
)

func TestOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		user     user.Info
		wantNode string
		wantOK   bool
	}{
		{"nil", nil, "", false},
		{"node", &user.DefaultInfo{Name: "system:node:n1", Groups: []string{user.NodesGroup}}, "n1", true},
		{"empty node name", &user.DefaultInfo{Name: "system:node:", Groups: []string{user.NodesGroup}}, "", true},
		{"not in system:nodes", &user.DefaultInfo{Name: "system:node:n1", Groups: []string{"system:authenticated"}}, "", false},
		{"not a node name", &user.DefaultInfo{Name: "alice", Groups: []string{user.NodesGroup}}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			node, ok := nodeidentity.Of(tc.user)
			if node != tc.wantNode || ok != tc.wantOK {
				t.Errorf("got %q, %v; want %q, %v", node, ok, tc.wantNode, tc.wantOK)
			}
		})
	}
}
