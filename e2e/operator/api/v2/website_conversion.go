package v2

import (
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/conversion"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
)

// ConvertTo converts this Website to the hub version (v1): the image's
// repository and tag join as "repository:tag".
func (src *Website) ConvertTo(dstRaw conversion.Hub) error {
	dst := dstRaw.(*webappv1.Website)
	dst.ObjectMeta = src.ObjectMeta
	dst.Spec.Image = src.Spec.Image.Repository
	if src.Spec.Image.Tag != "" {
		dst.Spec.Image += ":" + src.Spec.Image.Tag
	}
	dst.Spec.Replicas = src.Spec.Replicas
	dst.Spec.Port = src.Spec.Port
	dst.Status = webappv1.WebsiteStatus(src.Status)
	return nil
}

// ConvertFrom converts from the hub version (v1) to this version: the tag is
// what follows the last ':' after the last '/' (a registry's port is not a
// tag), so every v1 image survives the round trip.
func (dst *Website) ConvertFrom(srcRaw conversion.Hub) error {
	src := srcRaw.(*webappv1.Website)
	dst.ObjectMeta = src.ObjectMeta
	dst.Spec.Image = splitImage(src.Spec.Image)
	dst.Spec.Replicas = src.Spec.Replicas
	dst.Spec.Port = src.Spec.Port
	dst.Status = WebsiteStatus(src.Status)
	return nil
}

func splitImage(image string) ImageSpec {
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return ImageSpec{Repository: image}
	}
	return ImageSpec{Repository: image[:i], Tag: image[i+1:]}
}
