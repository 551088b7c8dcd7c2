// Package validation holds the validation of the built-in types, as
// kube-apiserver v1.37.1 applies it: the Validate* funcs of
// k8s.io/kubernetes/pkg/apis/<group>/validation and the rules their
// registries' strategies add, rewritten against the k8s.io/api types because
// memkube does not import k8s.io/kubernetes. Field paths, messages and error
// types are upstream's; tests assert them.
//
// The funcs validate a defaulted object (harness/apis/defaults runs when a
// request body is decoded), as upstream validates its internal object.
// ObjectMeta is validated by the common registry strategy
// (harness/registry), so funcs here start below metadata, except where a
// kind adds its own metadata rules.
//
// The *Warnings funcs are the warnings (HTTP Warning headers) upstream's
// strategies return for pods, pod templates, Jobs, PVCs and deprecated node
// labels (core_pod_warnings.go, batch_job_warnings.go,
// nodelabel_warnings.go), with upstream's texts.
//
// Each group is a file (core_pod.go, apps.go, ...); harness/registry/builtin
// wires the funcs into the kinds' strategies. Feature gates are fixed at
// their v1.37 defaults, as in harness/apis/defaults.
package validation
