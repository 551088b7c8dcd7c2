package harness

// AdmissionOptions chooses the admission plugins, as kube-apiserver's
// --enable-admission-plugins and --disable-admission-plugins do. The zero
// value runs kube-apiserver v1.37's default plugins (harness/admission has
// the ones k8s.io/apiserver does not) except ServiceAccount, which envtest
// turns off too.
type AdmissionOptions struct {
	// Enable turns on plugins that are off by default: ServiceAccount,
	// NodeRestriction.
	Enable []string
	// Disable turns off plugins that are on by default, by name (e.g.
	// "LimitRanger", "ResourceQuota", "DefaultTolerationSeconds").
	Disable []string
}
