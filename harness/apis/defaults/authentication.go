package defaults

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addAuthentication registers the authentication.k8s.io/v1 defaulter
// (pkg/apis/authentication/v1) of TokenRequest, the body of the
// serviceaccounts/token subresource.
func addAuthentication(s *runtime.Scheme) {
	register(s, setTokenRequest)
}

// setTokenRequest defaults a token's lifetime to one hour.
func setTokenRequest(r *authenticationv1.TokenRequest) {
	if r.Spec.ExpirationSeconds == nil {
		r.Spec.ExpirationSeconds = ptr.To[int64](3600)
	}
}
