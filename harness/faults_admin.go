package harness

import genericapiserver "k8s.io/apiserver/pkg/server"

// FaultsPath is where a server serves its fault injector over HTTP
// (faults.Injector.Handler): FaultsPath+"/faults" and FaultsPath+"/compact",
// for clients outside the test's process, such as kubectl with the
// kubeconfig of `memkube serve` (docs/faults.md, "From the command line").
const FaultsPath = "/memkube/v1"

// installFaultsAdmin mounts the injector's handler on the non-resource mux,
// behind the handler chain as /healthz or /version are: only users allowed
// the non-resource URLs /memkube/* (system:masters, or an RBAC rule) reach
// it.
func (s *Server) installFaultsAdmin(gs *genericapiserver.GenericAPIServer) {
	gs.Handler.NonGoRestfulMux.HandlePrefix(FaultsPath+"/", s.faults.Handler(FaultsPath))
}
