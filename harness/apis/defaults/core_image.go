package defaults

import (
	"regexp"
	"strings"
)

// imageTag is the tag of an image reference as upstream's
// pkg/util/parsers.ParseImageName reads it with
// github.com/distribution/reference v0.6.0 (ParseNormalizedNamed): the
// written tag, "latest" when the reference has neither tag nor digest, and ""
// for a digest-only reference or one that does not parse.
//
//	nginx                          latest
//	nginx:1.27                     1.27
//	localhost:5000/nginx           latest   (":5000" is a port, not a tag)
//	nginx@sha256:<64 hex>          ""
//	nginx:latest@sha256:<64 hex>   latest
//	Nginx, nginx@sha256:abc        ""       (does not parse)
//
// The grammar is transcribed rather than imported to keep memkube's
// dependencies those of k8s.io/apiserver.
func imageTag(image string) string {
	if anchoredIdentifier.MatchString(image) {
		return "" // a bare 64-hex identifier is not a name
	}
	domain, remainder := splitDockerDomain(image)
	remote, _, _ := strings.Cut(remainder, ":")
	if strings.ToLower(remote) != remote {
		return ""
	}
	m := referenceRegexp.FindStringSubmatch(domain + "/" + remainder)
	if m == nil {
		return ""
	}
	name, tag, digest := m[1], m[2], m[3]
	path := name
	if nm := anchoredName.FindStringSubmatch(name); len(nm) == 3 {
		path = nm[2]
	}
	if len(path) > 255 {
		return ""
	}
	if digest != "" && !validDigest(digest) {
		return ""
	}
	if tag == "" && digest == "" {
		return "latest"
	}
	return tag
}

// splitDockerDomain splits a reference into registry domain and the rest,
// normalizing Docker Hub names: "nginx" is "docker.io" + "library/nginx".
func splitDockerDomain(name string) (domain, remainder string) {
	first, rest, ok := strings.Cut(name, "/")
	switch {
	case !ok:
		return "docker.io", "library/" + name
	case first == "localhost":
		domain, remainder = first, rest
	case first == "index.docker.io":
		domain, remainder = "docker.io", rest
	case strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
		domain, remainder = first, rest
	default:
		domain, remainder = "docker.io", name
	}
	if domain == "docker.io" && !strings.Contains(remainder, "/") {
		remainder = "library/" + remainder
	}
	return domain, remainder
}

// validDigest reports whether a digest the reference grammar accepted also
// passes github.com/opencontainers/go-digest validation with the algorithms
// kube-apiserver links in (sha256, sha384, sha512): lowercase hex of the
// algorithm's exact length.
func validDigest(d string) bool {
	alg, hex, _ := strings.Cut(d, ":")
	n, ok := map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}[alg]
	return ok && len(hex) == n && lowerHex.MatchString(hex)
}

// The distribution/reference grammar (regexp.go).
const (
	refAlphanumeric    = `[a-z0-9]+`
	refSeparator       = `(?:[._]|__|[-]+)`
	refDomainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	refDomainName      = refDomainComponent + `(?:\.` + refDomainComponent + `)*`
	refIPv6            = `\[(?:[a-fA-F0-9:]+)\]`
	refDomainAndPort   = `(?:` + refDomainName + `|` + refIPv6 + `)` + `(?::[0-9]+)?`
	refTag             = `[\w][\w.-]{0,127}`
	refDigest          = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
	refPathComponent   = refAlphanumeric + `(?:` + refSeparator + refAlphanumeric + `)*`
	refRemoteName      = refPathComponent + `(?:/` + refPathComponent + `)*`
	refName            = `(?:` + refDomainAndPort + `/)?` + refRemoteName
)

// Compiled once; regexps are safe for concurrent use and never mutated.
var (
	referenceRegexp    = regexp.MustCompile(`^(` + refName + `)(?::(` + refTag + `))?(?:@(` + refDigest + `))?$`)
	anchoredName       = regexp.MustCompile(`^(?:(` + refDomainAndPort + `)/)?(` + refRemoteName + `)$`)
	anchoredIdentifier = regexp.MustCompile(`^[a-f0-9]{64}$`)
	lowerHex           = regexp.MustCompile(`^[a-f0-9]+$`)
)
