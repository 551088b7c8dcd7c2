package validation

import (
	"encoding/json"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxSecretSize is upstream's core.MaxSecretSize, the limit of a Secret's
// or ConfigMap's data: 1 MiB.
const maxSecretSize = 1 * 1024 * 1024

// immutableWhenSet is the message of a change to an immutable ConfigMap or
// Secret.
const immutableWhenSet = "field is immutable when `immutable` is set"

// ConfigMap is upstream's ValidateConfigMap below metadata: keys are
// config keys, unique across data and binaryData, and the values total at
// most 1 MiB.
func ConfigMap(cfg *corev1.ConfigMap) field.ErrorList {
	var allErrs field.ErrorList
	totalSize := 0
	for key, value := range cfg.Data {
		for _, msg := range validation.IsConfigMapKey(key) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("data").Key(key), key, msg))
		}
		if _, dup := cfg.BinaryData[key]; dup {
			allErrs = append(allErrs, field.Invalid(field.NewPath("data").Key(key), key, "duplicate of key present in binaryData"))
		}
		totalSize += len(value)
	}
	for key, value := range cfg.BinaryData {
		for _, msg := range validation.IsConfigMapKey(key) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("binaryData").Key(key), key, msg))
		}
		totalSize += len(value)
	}
	if totalSize > maxSecretSize {
		// the empty path means the whole object, as upstream.
		allErrs = append(allErrs, field.TooLong(field.NewPath(""), "", maxSecretSize))
	}
	return allErrs
}

// ConfigMapUpdate is upstream's ValidateConfigMapUpdate: an immutable
// ConfigMap keeps immutable, data and binaryData.
func ConfigMapUpdate(cfg, old *corev1.ConfigMap) field.ErrorList {
	var allErrs field.ErrorList
	if old.Immutable != nil && *old.Immutable {
		if cfg.Immutable == nil || !*cfg.Immutable {
			allErrs = append(allErrs, field.Forbidden(field.NewPath("immutable"), immutableWhenSet))
		}
		if !reflect.DeepEqual(cfg.Data, old.Data) {
			allErrs = append(allErrs, field.Forbidden(field.NewPath("data"), immutableWhenSet))
		}
		if !reflect.DeepEqual(cfg.BinaryData, old.BinaryData) {
			allErrs = append(allErrs, field.Forbidden(field.NewPath("binaryData"), immutableWhenSet))
		}
	}
	return append(allErrs, ConfigMap(cfg)...)
}

// Secret is upstream's ValidateSecret below metadata: data keys are config
// keys, the data totals at most 1 MiB, and each built-in type has its
// required keys (or annotation). It validates data after stringData was
// merged into it, as upstream's conversion does first.
func Secret(secret *corev1.Secret) field.ErrorList {
	var allErrs field.ErrorList
	dataPath := field.NewPath("data")
	totalSize := 0
	for key, value := range secret.Data {
		for _, msg := range validation.IsConfigMapKey(key) {
			allErrs = append(allErrs, field.Invalid(dataPath.Key(key), key, msg))
		}
		totalSize += len(value)
	}
	if totalSize > maxSecretSize {
		allErrs = append(allErrs, field.TooLong(dataPath, "", maxSecretSize))
	}

	switch secret.Type {
	case corev1.SecretTypeServiceAccountToken:
		// the uid annotation and the token may come later, from a controller.
		if len(secret.Annotations[corev1.ServiceAccountNameKey]) == 0 {
			allErrs = append(allErrs, field.Required(field.NewPath("metadata", "annotations").Key(corev1.ServiceAccountNameKey), ""))
		}
	case corev1.SecretTypeDockercfg:
		allErrs = append(allErrs, jsonKey(secret.Data, corev1.DockerConfigKey, dataPath)...)
	case corev1.SecretTypeDockerConfigJson:
		allErrs = append(allErrs, jsonKey(secret.Data, corev1.DockerConfigJsonKey, dataPath)...)
	case corev1.SecretTypeBasicAuth:
		// either may be empty, but one must be present.
		_, user := secret.Data[corev1.BasicAuthUsernameKey]
		_, password := secret.Data[corev1.BasicAuthPasswordKey]
		if !user && !password {
			allErrs = append(allErrs, field.Required(dataPath.Key(corev1.BasicAuthUsernameKey), ""),
				field.Required(dataPath.Key(corev1.BasicAuthPasswordKey), ""))
		}
	case corev1.SecretTypeSSHAuth:
		if len(secret.Data[corev1.SSHAuthPrivateKey]) == 0 {
			allErrs = append(allErrs, field.Required(dataPath.Key(corev1.SSHAuthPrivateKey), ""))
		}
	case corev1.SecretTypeTLS:
		if _, ok := secret.Data[corev1.TLSCertKey]; !ok {
			allErrs = append(allErrs, field.Required(dataPath.Key(corev1.TLSCertKey), ""))
		}
		if _, ok := secret.Data[corev1.TLSPrivateKeyKey]; !ok {
			allErrs = append(allErrs, field.Required(dataPath.Key(corev1.TLSPrivateKeyKey), ""))
		}
	}
	return allErrs
}

// jsonKey requires data[key] to be a JSON object.
func jsonKey(data map[string][]byte, key string, dataPath *field.Path) field.ErrorList {
	value, ok := data[key]
	if !ok {
		return field.ErrorList{field.Required(dataPath.Key(key), "")}
	}
	if err := json.Unmarshal(value, &map[string]interface{}{}); err != nil {
		return field.ErrorList{field.Invalid(dataPath.Key(key), "<secret contents redacted>", err.Error())}
	}
	return nil
}

// SecretUpdate is upstream's ValidateSecretUpdate: the type is immutable,
// and an immutable Secret keeps immutable and data.
func SecretUpdate(secret, old *corev1.Secret) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateImmutableField(secret.Type, old.Type, field.NewPath("type")).WithOrigin("immutable")
	if old.Immutable != nil && *old.Immutable {
		if secret.Immutable == nil || !*secret.Immutable {
			allErrs = append(allErrs, field.Forbidden(field.NewPath("immutable"), immutableWhenSet))
		}
		if !reflect.DeepEqual(secret.Data, old.Data) {
			allErrs = append(allErrs, field.Forbidden(field.NewPath("data"), immutableWhenSet))
		}
	}
	return append(allErrs, Secret(secret)...)
}
