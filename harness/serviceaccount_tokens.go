package harness

import (
	"fmt"

	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness/auth/serviceaccount"
)

// installServiceAccountTokens serves serviceaccounts/token from core, the
// core/v1 registries, and lets the server's service account authenticators
// read them (and label used legacy token Secrets through loopback).
func (s *Server) installServiceAccountTokens(core map[string]rest.Storage, loopback *restclient.Config) error {
	getters := map[string]rest.Getter{}
	for _, r := range []string{"serviceaccounts", "pods", "secrets", "nodes"} {
		g, ok := core[r].(rest.Getter)
		if !ok {
			return fmt.Errorf("service account tokens: the %s registry cannot get", r)
		}
		getters[r] = g
	}
	client, err := kubernetes.NewForConfig(loopback)
	if err != nil {
		return fmt.Errorf("service account tokens: loopback client: %w", err)
	}
	core["serviceaccounts/token"] = s.saTokens.REST(getters["serviceaccounts"], getters["pods"], getters["secrets"], getters["nodes"])
	s.saTokens.SetObjects(serviceaccount.Objects{
		ServiceAccounts: getters["serviceaccounts"],
		Pods:            getters["pods"],
		Secrets:         getters["secrets"],
		Nodes:           getters["nodes"],
		SecretsWriter:   client.CoreV1(),
	})
	return nil
}
