package harness

import (
	stdx509 "crypto/x509"

	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	unionauth "k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/request/websocket"
	"k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/apiserver/pkg/authentication/token/tokenfile"
	tokenunion "k8s.io/apiserver/pkg/authentication/token/union"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// authenticate sets config's authentication as kube-apiserver assembles it
// (pkg/kubeapiserver/authenticator): client certificates of the server's
// CA, then bearer tokens — the static tokens of the admin and of the
// server's loopback client, service account token Secrets' tokens, and
// TokenRequest's tokens — and every authenticated user in
// system:authenticated. The API audiences are the service account
// issuer's.
func (s *Server) authenticate(config *genericapiserver.Config, loopbackToken, adminToken string) {
	auds := s.saTokens.APIAudiences()
	config.Authentication.APIAudiences = auds
	clientCA := s.ca.Pool()
	certs := x509.NewDynamic(func() (stdx509.VerifyOptions, bool) {
		opts := x509.DefaultVerifyOptions()
		opts.Roots = clientCA
		return opts, true
	}, x509.CommonNameUserConversion)
	static := tokenfile.New(map[string]*user.DefaultInfo{
		loopbackToken: {Name: user.APIServerUser, UID: string(uuid.NewUUID()), Groups: []string{user.SystemPrivilegedGroup}},
		adminToken:    {Name: adminUser, Groups: []string{user.SystemPrivilegedGroup}},
	})
	tokens := tokenunion.New(
		authenticator.WrapAudienceAgnosticToken(auds, static),
		s.saTokens.LegacyAuthenticator(),
		s.saTokens.Authenticator(),
	)
	config.Authentication.Authenticator = group.NewAuthenticatedGroupAdder(unionauth.New(
		certs, bearertoken.New(tokens), websocket.NewProtocolAuthenticator(tokens)))
}
