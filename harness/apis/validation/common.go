package validation

import (
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Upstream's messages for numbers out of range.
const (
	isNegativeErrorMsg    = apimachineryvalidation.IsNegativeErrorMsg
	isNotPositiveErrorMsg = "must be greater than zero"
)

// dns1123Label is upstream's ValidateDNS1123Label: one Invalid per message.
func dns1123Label(value string, fldPath *field.Path) field.ErrorList {
	return eachMessage(validation.IsDNS1123Label(value), value, fldPath, "format=k8s-short-name")
}

// dns1123Subdomain is upstream's ValidateDNS1123Subdomain.
func dns1123Subdomain(value string, fldPath *field.Path) field.ErrorList {
	return eachMessage(validation.IsDNS1123Subdomain(value), value, fldPath, "format=k8s-long-name")
}

// qualifiedName is upstream's ValidateQualifiedName (label keys, condition
// types, finalizer-like names).
func qualifiedName(value string, fldPath *field.Path) field.ErrorList {
	return eachMessage(validation.IsQualifiedName(value), value, fldPath, "format=qualified-name")
}

func eachMessage(msgs []string, value string, fldPath *field.Path, origin string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(fldPath, value, msg).WithOrigin(origin))
	}
	return errs
}

// nonNegative is upstream's ValidateNonnegativeField.
var nonNegative = apimachineryvalidation.ValidateNonnegativeField

// positive is upstream's ValidatePositiveField.
func positive(value int64, fldPath *field.Path) field.ErrorList {
	if value <= 0 {
		return field.ErrorList{field.Invalid(fldPath, value, isNotPositiveErrorMsg).WithOrigin("minimum")}
	}
	return nil
}

// nonNegativeQuantity is upstream's ValidateNonnegativeQuantity.
func nonNegativeQuantity(value resource.Quantity, fldPath *field.Path) field.ErrorList {
	if value.Cmp(resource.Quantity{}) < 0 {
		return field.ErrorList{field.Invalid(fldPath, value.String(), isNegativeErrorMsg)}
	}
	return nil
}

// positiveQuantity is upstream's ValidatePositiveQuantityValue.
func positiveQuantity(value resource.Quantity, fldPath *field.Path) field.ErrorList {
	if value.Cmp(resource.Quantity{}) <= 0 {
		return field.ErrorList{field.Invalid(fldPath, value.String(), isNotPositiveErrorMsg)}
	}
	return nil
}
