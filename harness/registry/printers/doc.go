// Package printers is kube-apiserver's server-side printing for the built-in
// kinds: the Table responses `kubectl get` renders, with the columns and cells
// of v1.37's k8s.io/kubernetes/pkg/printers/internalversion, rewritten over
// the k8s.io/api v1 types memkube stores (upstream prints its internal types;
// where converting v1 to internal changes a printed field, the printer does
// the same — a Secret's stringData counts as data, a nil replica count prints
// 0).
//
// For returns a resource's convertor; it is nil for the resources whose
// upstream store keeps the NAME/CREATED AT default (limitranges, roles,
// clusterroles, csistoragecapacities). As upstream's, a convertor prints every
// type any built-in printer handles, so the scale subresource's Scale and a
// delete's Status print with their own columns; and it always prints the
// wide (-o wide) cells: kubectl drops the priority-1 columns itself.
//
// Each group's printers live in that group's file (core.go, apps.go, ...),
// registered in register; the machinery is in printers.go. The tests carry
// upstream's printers_test.go cases; the package was also checked against
// k8s.io/kubernetes's printers themselves, outside this module (which must
// not import it): 1,000 random lists per kind and each of their items,
// fuzzed as upstream's round-trip tests fuzz internal objects, converted to
// v1 (printed here) and back (printed by upstream), gave identical tables.
//
// Known gaps: printers of kinds memkube does not serve (storageversions,
// leasecandidates, workloads, podgroups, compositepodgroups,
// resourcepoolstatusrequests, evictions, evictionrequests) are not written.
package printers
