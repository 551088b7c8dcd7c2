package pki_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/memkube/memkube/harness/pki"
)

// TestMutualTLS serves with an issued serving certificate and requires a
// client certificate from the same CA, as a memkube server does; the server
// sees the user and groups in the client certificate's subject.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	ca, err := pki.NewCA("memkube-ca")
	if err != nil {
		t.Fatal(err)
	}
	serving, err := ca.IssueServing([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := tls.X509KeyPair(serving.CertPEM, serving.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subject := r.TLS.PeerCertificates[0].Subject
		fmt.Fprintf(w, "%s %v", subject.CommonName, subject.Organization)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	admin, err := ca.IssueClient("admin", []string{"system:masters"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(kp *pki.KeyPair, roots *x509.CertPool) (string, error) {
		cfg := &tls.Config{RootCAs: roots}
		if kp != nil {
			c, err := tls.X509KeyPair(kp.CertPEM, kp.KeyPEM)
			if err != nil {
				return "", err
			}
			cfg.Certificates = []tls.Certificate{c}
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := client.Get(srv.URL)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if got, err := get(&admin, ca.Pool()); err != nil || got != "admin [system:masters]" {
		t.Fatalf("with the admin certificate: got %q, %v; want %q", got, err, "admin [system:masters]")
	}
	if _, err := get(nil, ca.Pool()); err == nil {
		t.Fatal("a client without a certificate was let in")
	}
	other, _ := pki.NewCA("other")
	if _, err := get(&admin, other.Pool()); err == nil {
		t.Fatal("the client trusted a server certificate from another CA")
	}
	stranger, _ := other.IssueClient("admin", []string{"system:masters"})
	if _, err := get(&stranger, ca.Pool()); err == nil {
		t.Fatal("a client certificate from another CA was let in")
	}
}

func TestCertificates(t *testing.T) {
	t.Parallel()
	ca, err := pki.NewCA("memkube-ca")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(ca.CertPEM)
	caCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !caCert.IsCA {
		t.Fatalf("CA certificate: %v, IsCA %v", err, caCert != nil && caCert.IsCA)
	}
	kp, err := ca.IssueClient("jane", []string{"dev", "ops"})
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(kp.CertPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != "jane" || !slices.Equal(cert.Subject.Organization, []string{"dev", "ops"}) {
		t.Fatalf("client subject %v, want CN=jane O=[dev ops]", cert.Subject)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("client certificate does not verify against its CA: %v", err)
	}
	if _, err := ca.IssueClient("", nil); err == nil {
		t.Fatal("a client certificate without a user name was issued")
	}
}

func BenchmarkNewServerPKI(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ca, err := pki.NewCA("memkube-ca")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ca.IssueServing([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}); err != nil {
			b.Fatal(err)
		}
		if _, err := ca.IssueClient("admin", []string{"system:masters"}); err != nil {
			b.Fatal(err)
		}
	}
}
