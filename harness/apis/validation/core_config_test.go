package validation_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestConfigMap(t *testing.T) {
	t.Parallel()
	valid := &corev1.ConfigMap{Data: map[string]string{"app.properties": "a=b"}, BinaryData: map[string][]byte{"logo.png": {1}}}
	matchErrors(t, validation.ConfigMap(valid))
	for _, tc := range []struct {
		name string
		cm   *corev1.ConfigMap
		want []string
	}{
		{"bad key", &corev1.ConfigMap{Data: map[string]string{"a/b": ""}}, []string{
			`data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`}},
		{"key in both", &corev1.ConfigMap{Data: map[string]string{"k": ""}, BinaryData: map[string][]byte{"k": nil}},
			[]string{`data[k]: Invalid value: "k": duplicate of key present in binaryData`}},
		{"too big", &corev1.ConfigMap{Data: map[string]string{"k": strings.Repeat("x", 1<<20+1)}},
			[]string{`[]: Too long: may not be more than 1048576 bytes`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			matchErrors(t, validation.ConfigMap(tc.cm), tc.want...)
		})
	}
	t.Run("immutable", func(t *testing.T) {
		t.Parallel()
		old := &corev1.ConfigMap{Immutable: ptr.To(true), Data: map[string]string{"k": "v"}}
		matchErrors(t, validation.ConfigMapUpdate(old.DeepCopy(), old))
		changed := &corev1.ConfigMap{Immutable: ptr.To(false), Data: map[string]string{"k": "w"}}
		matchErrors(t, validation.ConfigMapUpdate(changed, old),
			"immutable: Forbidden: field is immutable when `immutable` is set",
			"data: Forbidden: field is immutable when `immutable` is set")
	})
}

func TestSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		secret *corev1.Secret
		want   []string
	}{
		{"opaque", &corev1.Secret{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"password": []byte("x")}}, nil},
		{"tls", &corev1.Secret{Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": nil, "tls.key": nil}}, nil},
		{"tls without keys", &corev1.Secret{Type: corev1.SecretTypeTLS},
			[]string{"data[tls.crt]: Required value", "data[tls.key]: Required value"}},
		{"service account token without name", &corev1.Secret{Type: corev1.SecretTypeServiceAccountToken},
			[]string{"metadata.annotations[kubernetes.io/service-account.name]: Required value"}},
		{"dockerconfigjson not JSON", &corev1.Secret{Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte("{")}},
			[]string{`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input`}},
		{"basic auth without keys", &corev1.Secret{Type: corev1.SecretTypeBasicAuth},
			[]string{"data[username]: Required value", "data[password]: Required value"}},
		{"ssh auth without key", &corev1.Secret{Type: corev1.SecretTypeSSHAuth},
			[]string{"data[ssh-privatekey]: Required value"}},
		{"too big", &corev1.Secret{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"k": make([]byte, 1<<20+1)}},
			[]string{"data: Too long: may not be more than 1048576 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			matchErrors(t, validation.Secret(tc.secret), tc.want...)
		})
	}
	t.Run("type is immutable", func(t *testing.T) {
		t.Parallel()
		old := &corev1.Secret{Type: corev1.SecretTypeOpaque}
		matchErrors(t, validation.SecretUpdate(&corev1.Secret{Type: "example.com/other"}, old),
			`type: Invalid value: "example.com/other": field is immutable`)
	})
	t.Run("immutable data", func(t *testing.T) {
		t.Parallel()
		old := &corev1.Secret{Type: corev1.SecretTypeOpaque, Immutable: ptr.To(true), Data: map[string][]byte{"k": []byte("v")}}
		s := old.DeepCopy()
		s.Data["k"] = []byte("w")
		matchErrors(t, validation.SecretUpdate(s, old), "data: Forbidden: field is immutable when `immutable` is set")
	})
}
