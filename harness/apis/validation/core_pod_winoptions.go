// Windows pod rules; not named core_pod_windows.go, which Go would build on Windows only.

package validation

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	maxGMSACredentialSpecLengthInKiB = 64
	maxGMSACredentialSpecLength      = maxGMSACredentialSpecLengthInKiB * 1024
	maxRunAsUserNameDomainLength     = 256
	maxRunAsUserNameUserLength       = 104
)

var (
	ctrlRegex                      = regexp.MustCompile(`[[:cntrl:]]+`)
	validNetBiosRegex              = regexp.MustCompile(`^[^\\/:\*\?"<>|\.][^\\/:\*\?"<>|]{0,14}$`)
	validWindowsUserDomainDNSRegex = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)
	invalidUserNameCharsRegex      = regexp.MustCompile(`["/\\:;|=,\+\*\?<>@\[\]]`)
	invalidUserNameDotsSpacesRegex = regexp.MustCompile(`^[\. ]+$`)
)

// windowsOptions is upstream's validateWindowsSecurityContextOptions: the
// GMSA credential spec and its name, and runAsUserName as DOMAIN\USER.
func windowsOptions(opts *corev1.WindowsSecurityContextOptions, fldPath *field.Path) field.ErrorList {
	if opts == nil {
		return nil
	}
	var errs field.ErrorList
	if opts.GMSACredentialSpecName != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*opts.GMSACredentialSpecName) {
			errs = append(errs, field.Invalid(fldPath.Child("gmsaCredentialSpecName"), opts.GMSACredentialSpecName, msg))
		}
	}
	if opts.GMSACredentialSpec != nil {
		if l := len(*opts.GMSACredentialSpec); l == 0 {
			errs = append(errs, field.Invalid(fldPath.Child("gmsaCredentialSpec"), opts.GMSACredentialSpec, "gmsaCredentialSpec cannot be an empty string"))
		} else if l > maxGMSACredentialSpecLength {
			errs = append(errs, field.Invalid(fldPath.Child("gmsaCredentialSpec"), opts.GMSACredentialSpec, fmt.Sprintf("gmsaCredentialSpec size must be under %d KiB", maxGMSACredentialSpecLengthInKiB)))
		}
	}
	if opts.RunAsUserName == nil {
		return errs
	}
	p, name := fldPath.Child("runAsUserName"), *opts.RunAsUserName
	invalid := func(msg string) { errs = append(errs, field.Invalid(p, opts.RunAsUserName, msg)) }
	parts := strings.Split(name, "\\")
	switch {
	case name == "":
		invalid("runAsUserName cannot be an empty string")
	case ctrlRegex.MatchString(name):
		invalid("runAsUserName cannot contain control characters")
	case len(parts) > 2:
		invalid("runAsUserName cannot contain more than one backslash")
	default:
		hasDomain, domain, user := false, "", parts[0]
		if len(parts) == 2 {
			hasDomain, domain, user = true, parts[0], parts[1]
		}
		if len(domain) >= maxRunAsUserNameDomainLength {
			invalid(fmt.Sprintf("runAsUserName's Domain length must be under %d characters", maxRunAsUserNameDomainLength))
		}
		if hasDomain && !validNetBiosRegex.MatchString(domain) && !validWindowsUserDomainDNSRegex.MatchString(domain) {
			invalid("runAsUserName's Domain doesn't match the NetBios nor the DNS format")
		}
		if l := len(user); l == 0 {
			invalid("runAsUserName's User cannot be empty")
		} else if l > maxRunAsUserNameUserLength {
			invalid(fmt.Sprintf("runAsUserName's User length must not be longer than %d characters", maxRunAsUserNameUserLength))
		}
		if invalidUserNameDotsSpacesRegex.MatchString(user) {
			invalid(`runAsUserName's User cannot contain only periods or spaces`)
		}
		if invalidUserNameCharsRegex.MatchString(user) {
			invalid(`runAsUserName's User cannot contain the following characters: "/\:;|=,+*?<>@[]`)
		}
	}
	return errs
}

// windowsHostProcess is upstream's validateWindowsHostProcessPod: host
// process containers are all or none of a pod's, agree with the pod's
// setting, and need hostNetwork (privileged pods are allowed, see
// securityContext).
func windowsHostProcess(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	var podHostProcess *bool
	if spec.SecurityContext != nil && spec.SecurityContext.WindowsOptions != nil {
		podHostProcess = spec.SecurityContext.WindowsOptions.HostProcess
	}
	count, hostProcessCount := 0, 0
	visitContainers(spec, fldPath, func(c *corev1.Container, cp *field.Path) {
		count++
		var hp *bool
		if c.SecurityContext != nil && c.SecurityContext.WindowsOptions != nil {
			hp = c.SecurityContext.WindowsOptions.HostProcess
		}
		if podHostProcess != nil && hp != nil && *podHostProcess != *hp {
			errs = append(errs, field.Invalid(cp.Child("securityContext", "windowsOptions", "hostProcess"), *hp,
				fmt.Sprintf("pod hostProcess value must be identical if both are specified, was %v", *podHostProcess)))
		}
		if (hp != nil && *hp) || (hp == nil && podHostProcess != nil && *podHostProcess) {
			hostProcessCount++
		}
	})
	if hostProcessCount > 0 {
		if hostProcessCount != count {
			errs = append(errs, field.Invalid(fldPath, "", "If pod contains any hostProcess containers then all containers must be HostProcess containers"))
		}
		if !spec.HostNetwork {
			errs = append(errs, field.Invalid(fldPath.Child("hostNetwork"), spec.HostNetwork, "hostNetwork must be true if pod contains any hostProcess containers"))
		}
	}
	return errs
}
