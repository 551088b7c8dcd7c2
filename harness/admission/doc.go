// Package admission has kube-apiserver's own admission plugins, the ones
// k8s.io/apiserver leaves to the kube-apiserver binary (which lives in
// k8s.io/kubernetes, never imported): each file is one plugin, written from
// upstream's plugin/pkg/admission with its rules and messages. Register
// adds them to k8s.io/apiserver's plugins, Enabled says which run and in
// which order (kube-apiserver's), Informers which informers they read.
//
// The objects the plugins see are the k8s.io/api types: memkube's internal
// version of a group is its storage version's Go types (harness/apis).
package admission
