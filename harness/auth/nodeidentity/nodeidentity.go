// Package nodeidentity tells whether a request's user is a node (a kubelet)
// and which, as kube-apiserver's default node identifier does for the Node
// authorizer and the NodeRestriction admission plugin: a user named
// system:node:<nodeName> in the system:nodes group.
package nodeidentity

import (
	"strings"

	"k8s.io/apiserver/pkg/authentication/user"
)

// userNamePrefix is the prefix of node user names, system:node:<nodeName>.
const userNamePrefix = "system:node:"

// Of returns the node name of u and true if u is a node: its name is
// system:node:<nodeName> and it is in the system:nodes group. The name may
// be empty ("system:node:"), as upstream, whose callers refuse it.
func Of(u user.Info) (string, bool) {
	if u == nil {
		return "", false
	}
	name, ok := strings.CutPrefix(u.GetName(), userNamePrefix)
	if !ok {
		return "", false
	}
	for _, g := range u.GetGroups() {
		if g == user.NodesGroup {
			return name, true
		}
	}
	return "", false
}
