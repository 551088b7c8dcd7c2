package review

import (
	"errors"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// attributesFor is what a SubjectAccessReviewSpec asks about, for the user it
// names. Exactly one of resource and non-resource attributes must be set
// (validation ensures it).
func attributesFor(spec authorizationv1.SubjectAccessReviewSpec) authorizer.AttributesRecord {
	var extra map[string][]string
	if spec.Extra != nil {
		extra = make(map[string][]string, len(spec.Extra))
		for k, v := range spec.Extra {
			extra[k] = v
		}
	}
	u := &user.DefaultInfo{Name: spec.User, Groups: spec.Groups, UID: spec.UID, Extra: extra}
	return attributesOf(u, spec.ResourceAttributes, spec.NonResourceAttributes)
}

// attributesOf is the authorizer's view of a resource or, when ra is nil, a
// non-resource request by u.
func attributesOf(u user.Info, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) authorizer.AttributesRecord {
	if ra == nil {
		return authorizer.AttributesRecord{User: u, ResourceRequest: false, Path: nra.Path, Verb: nra.Verb}
	}
	attrs := authorizer.AttributesRecord{
		User:            u,
		Verb:            ra.Verb,
		Namespace:       ra.Namespace,
		APIGroup:        ra.Group,
		APIVersion:      ra.Version,
		Resource:        ra.Resource,
		Subresource:     ra.Subresource,
		Name:            ra.Name,
		ResourceRequest: true,
	}
	if attrs.APIVersion == "" {
		attrs.APIVersion = "*"
	}
	// When both a raw selector and requirements are set (validation rejects
	// that), the requirements win, as upstream.
	if ls := ra.LabelSelector; ls != nil {
		if ls.RawSelector != "" {
			if sel, err := labels.Parse(ls.RawSelector); err != nil {
				attrs.LabelSelectorRequirements, attrs.LabelSelectorParsingErr = nil, err
			} else {
				attrs.LabelSelectorRequirements, _ = sel.Requirements()
				attrs.LabelSelectorParsingErr = nil
			}
		}
		if len(ls.Requirements) > 0 {
			attrs.LabelSelectorRequirements, attrs.LabelSelectorParsingErr = labelRequirements(ls.Requirements)
		}
	}
	if fs := ra.FieldSelector; fs != nil {
		if fs.RawSelector != "" {
			if sel, err := fields.ParseSelector(fs.RawSelector); err != nil {
				attrs.FieldSelectorRequirements, attrs.FieldSelectorParsingErr = nil, err
			} else {
				attrs.FieldSelectorRequirements, attrs.FieldSelectorParsingErr = sel.Requirements(), nil
			}
		}
		if len(fs.Requirements) > 0 {
			attrs.FieldSelectorRequirements, attrs.FieldSelectorParsingErr = fieldRequirements(fs.Requirements)
		}
	}
	return attrs
}

var labelOperators = map[metav1.LabelSelectorOperator]selection.Operator{
	metav1.LabelSelectorOpIn:           selection.In,
	metav1.LabelSelectorOpNotIn:        selection.NotIn,
	metav1.LabelSelectorOpExists:       selection.Exists,
	metav1.LabelSelectorOpDoesNotExist: selection.DoesNotExist,
}

// labelRequirements converts what it can and reports the rest: requirements
// are ANDed, so dropping one only broadens the check. Nil, not empty, when
// nothing converts.
func labelRequirements(in []metav1.LabelSelectorRequirement) (labels.Requirements, error) {
	var reqs labels.Requirements
	var errs []error
	for _, r := range in {
		op, ok := labelOperators[r.Operator]
		if !ok {
			errs = append(errs, fmt.Errorf("%q is not a valid label selector operator", r.Operator))
			continue
		}
		values := r.Values
		if len(values) == 0 {
			values = nil
		}
		req, err := labels.NewRequirement(r.Key, op, values)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reqs = append(reqs, *req)
	}
	return reqs, utilerrors.NewAggregate(errs)
}

// fieldRequirements is labelRequirements for fields: only In and NotIn with a
// single value, turned into = and != as a parsed field selector would be.
func fieldRequirements(in []metav1.FieldSelectorRequirement) (fields.Requirements, error) {
	var reqs fields.Requirements
	var errs []error
	for _, r := range in {
		if len(r.Values) > 1 {
			errs = append(errs, errors.New("fieldSelectors do not yet support multiple values"))
			continue
		}
		switch r.Operator {
		case metav1.FieldSelectorOpIn:
			if len(r.Values) != 1 {
				errs = append(errs, errors.New("fieldSelectors in must have one value"))
				continue
			}
			reqs = append(reqs, fields.Requirement{Field: r.Key, Operator: selection.Equals, Value: r.Values[0]})
		case metav1.FieldSelectorOpNotIn:
			if len(r.Values) != 1 {
				errs = append(errs, errors.New("fieldSelectors not in must have one value"))
				continue
			}
			reqs = append(reqs, fields.Requirement{Field: r.Key, Operator: selection.NotEquals, Value: r.Values[0]})
		case metav1.FieldSelectorOpExists, metav1.FieldSelectorOpDoesNotExist:
			errs = append(errs, fmt.Errorf("fieldSelectors do not yet support %v", r.Operator))
		default:
			errs = append(errs, fmt.Errorf("%q is not a valid field selector operator", r.Operator))
		}
	}
	return reqs, utilerrors.NewAggregate(errs)
}

// evaluationError is status.evaluationError: the authorizer's error, then a
// note for each selector that was dropped in whole or in part.
func evaluationError(authzErr error, attrs authorizer.AttributesRecord) string {
	var msgs []string
	if authzErr != nil {
		msgs = append(msgs, authzErr.Error())
	}
	if reqs, err := attrs.GetFieldSelector(); err != nil {
		msgs = append(msgs, "spec.resourceAttributes.fieldSelector "+ignored(len(reqs))+" due to parse error")
	}
	if reqs, err := attrs.GetLabelSelector(); err != nil {
		msgs = append(msgs, "spec.resourceAttributes.labelSelector "+ignored(len(reqs))+" due to parse error")
	}
	return strings.Join(msgs, "; ")
}

func ignored(kept int) string {
	if kept > 0 {
		return "partially ignored"
	}
	return "ignored"
}
