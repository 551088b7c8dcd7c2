package validation

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	fileModeErrorMsg     = "must be a number between 0 and 0777 (octal), both inclusive"
	emptyDirModeErrorMsg = "must be a number between 0 and 01777 (octal), both inclusive"
)

// volumes is upstream's ValidateVolumes: it returns the valid volumes by
// name, for the containers' mounts to refer to. podMeta is nil for
// templates (it names the PVCs of ephemeral volumes).
func volumes(vols []corev1.Volume, podMeta *metav1.ObjectMeta, fldPath *field.Path, opts podOptions) (map[string]corev1.VolumeSource, field.ErrorList) {
	var errs field.ErrorList
	allNames := sets.New[string]()
	createdPVCs := sets.New[string]()
	if podMeta != nil && podMeta.Name != "" {
		for _, vol := range vols {
			if vol.Ephemeral != nil {
				createdPVCs.Insert(podMeta.Name + "-" + vol.Name)
			}
		}
	}
	out := map[string]corev1.VolumeSource{}
	for i, vol := range vols {
		p := fldPath.Index(i)
		namePath := p.Child("name")
		el := volumeSource(&vol.VolumeSource, p, vol.Name, podMeta, opts)
		if vol.Name == "" {
			el = append(el, field.Required(namePath, ""))
		} else {
			el = append(el, dns1123Label(vol.Name, namePath)...)
		}
		if allNames.Has(vol.Name) {
			el = append(el, field.Duplicate(namePath, vol.Name))
		}
		if len(el) == 0 {
			allNames.Insert(vol.Name)
			out[vol.Name] = vol.VolumeSource
		} else {
			errs = append(errs, el...)
		}
		if vol.PersistentVolumeClaim != nil && createdPVCs.Has(vol.PersistentVolumeClaim.ClaimName) {
			errs = append(errs, field.Invalid(p.Child("persistentVolumeClaim", "claimName"), vol.PersistentVolumeClaim.ClaimName,
				"must not reference a PVC that gets created for an ephemeral volume"))
		}
	}
	return out, errs
}

// volumeSource is upstream's validateVolumeSource: exactly one type, each
// validated. The in-tree plugins of cloud and storage vendors (deprecated,
// most removed from the kubelet) count as a type but their fields are not
// validated beyond that.
func volumeSource(src *corev1.VolumeSource, fldPath *field.Path, volName string, podMeta *metav1.ObjectMeta, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	n := 0
	// one counts a set source; upstream's path for the "more than 1" error
	// is name (with its typos: downwarAPI, storageos), the validated
	// child's is child.
	one := func(set bool, name string, validate func() field.ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			errs = append(errs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 volume type"))
			return
		}
		n++
		if validate != nil {
			errs = append(errs, validate()...)
		}
	}
	if src.EmptyDir != nil {
		n++
		if src.EmptyDir.SizeLimit != nil && src.EmptyDir.SizeLimit.Cmp(resource.Quantity{}) < 0 {
			errs = append(errs, field.Forbidden(fldPath.Child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity"))
		}
		if m := src.EmptyDir.Mode; m != nil && (*m > 01777 || *m < 0) {
			errs = append(errs, field.Invalid(fldPath.Child("emptyDir", "mode"), *m, emptyDirModeErrorMsg))
		}
	}
	one(src.HostPath != nil, "hostPath", func() field.ErrorList { return hostPathVolume(src.HostPath, fldPath.Child("hostPath")) })
	one(src.GitRepo != nil, "gitRepo", func() field.ErrorList {
		p := fldPath.Child("gitRepo")
		var errs field.ErrorList
		if src.GitRepo.Repository == "" {
			errs = append(errs, field.Required(p.Child("repository"), ""))
		}
		return append(errs, localDescendingPath(src.GitRepo.Directory, p.Child("directory"))...)
	})
	one(src.GCEPersistentDisk != nil, "gcePersistentDisk", nil)
	one(src.AWSElasticBlockStore != nil, "awsElasticBlockStore", nil)
	one(src.Secret != nil, "secret", func() field.ErrorList {
		p := fldPath.Child("secret")
		var errs field.ErrorList
		if src.Secret.SecretName == "" {
			errs = append(errs, field.Required(p.Child("secretName"), ""))
		}
		return append(errs, modeAndItems(src.Secret.DefaultMode, src.Secret.Items, p)...)
	})
	one(src.NFS != nil, "nfs", func() field.ErrorList {
		p := fldPath.Child("nfs")
		var errs field.ErrorList
		if src.NFS.Server == "" {
			errs = append(errs, field.Required(p.Child("server"), ""))
		}
		if src.NFS.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		}
		if !path.IsAbs(src.NFS.Path) {
			errs = append(errs, field.Invalid(p.Child("path"), src.NFS.Path, "must be an absolute path"))
		}
		return errs
	})
	one(src.ISCSI != nil, "iscsi", nil)
	one(src.Glusterfs != nil, "glusterfs", nil)
	one(src.Flocker != nil, "flocker", nil)
	one(src.PersistentVolumeClaim != nil, "persistentVolumeClaim", func() field.ErrorList {
		if src.PersistentVolumeClaim.ClaimName == "" {
			return field.ErrorList{field.Required(fldPath.Child("persistentVolumeClaim", "claimName"), "")}
		}
		return nil
	})
	one(src.RBD != nil, "rbd", nil)
	one(src.Cinder != nil, "cinder", nil)
	one(src.CephFS != nil, "cephFS", nil)
	one(src.Quobyte != nil, "quobyte", nil)
	one(src.DownwardAPI != nil, "downwarAPI", func() field.ErrorList {
		p := fldPath.Child("downwardAPI")
		var errs field.ErrorList
		if m := src.DownwardAPI.DefaultMode; m != nil && (*m > 0777 || *m < 0) {
			errs = append(errs, field.Invalid(p.Child("defaultMode"), *m, fileModeErrorMsg))
		}
		for _, file := range src.DownwardAPI.Items {
			errs = append(errs, downwardAPIVolumeFile(&file, p)...)
		}
		return errs
	})
	one(src.FC != nil, "fc", nil)
	one(src.FlexVolume != nil, "flexVolume", nil)
	one(src.ConfigMap != nil, "configMap", func() field.ErrorList {
		p := fldPath.Child("configMap")
		var errs field.ErrorList
		if src.ConfigMap.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		return append(errs, modeAndItems(src.ConfigMap.DefaultMode, src.ConfigMap.Items, p)...)
	})
	one(src.AzureFile != nil, "azureFile", nil)
	one(src.VsphereVolume != nil, "vsphereVolume", nil)
	one(src.PhotonPersistentDisk != nil, "photonPersistentDisk", nil)
	one(src.PortworxVolume != nil, "portworxVolume", nil)
	one(src.AzureDisk != nil, "azureDisk", nil)
	one(src.StorageOS != nil, "storageos", nil)
	one(src.Projected != nil, "projected", func() field.ErrorList { return projectedVolume(src.Projected, fldPath.Child("projected"), opts) })
	one(src.ScaleIO != nil, "scaleIO", nil)
	one(src.CSI != nil, "csi", func() field.ErrorList { return csiVolume(src.CSI, fldPath.Child("csi")) })
	one(src.Ephemeral != nil, "ephemeral", func() field.ErrorList {
		errs := ephemeralVolume(src.Ephemeral, fldPath.Child("ephemeral"))
		if podMeta != nil && podMeta.Name != "" && volName != "" {
			pvcName := podMeta.Name + "-" + volName
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(pvcName, false) {
				errs = append(errs, field.Invalid(fldPath.Child("name"), volName, fmt.Sprintf("PVC name %q: %v", pvcName, msg)))
			}
		}
		return errs
	})
	one(src.Image != nil, "image", func() field.ErrorList {
		var errs field.ErrorList
		p := fldPath.Child("image")
		if !opts.allowEmptyImageVolumeReference && src.Image.Reference == "" {
			errs = append(errs, field.Required(p.Child("reference"), ""))
		}
		return append(errs, pullPolicy(src.Image.PullPolicy, p.Child("pullPolicy"))...)
	})
	if n == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a volume type"))
	}
	return errs
}

var supportedHostPathTypes = sets.New(
	corev1.HostPathUnset, corev1.HostPathDirectoryOrCreate, corev1.HostPathDirectory, corev1.HostPathFileOrCreate,
	corev1.HostPathFile, corev1.HostPathSocket, corev1.HostPathCharDev, corev1.HostPathBlockDev,
)

func hostPathVolume(hp *corev1.HostPathVolumeSource, fldPath *field.Path) field.ErrorList {
	if hp.Path == "" {
		return field.ErrorList{field.Required(fldPath.Child("path"), "")}
	}
	errs := pathNoBacksteps(hp.Path, fldPath.Child("path"))
	if hp.Type != nil && !supportedHostPathTypes.Has(*hp.Type) {
		errs = append(errs, field.NotSupported(fldPath.Child("type"), hp.Type, sets.List(supportedHostPathTypes)))
	}
	return errs
}

// modeAndItems validates a secret or configMap volume's defaultMode and items.
func modeAndItems(mode *int32, items []corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if mode != nil && (*mode > 0777 || *mode < 0) {
		errs = append(errs, field.Invalid(fldPath.Child("defaultMode"), *mode, fileModeErrorMsg))
	}
	for i := range items {
		errs = append(errs, keyToPath(&items[i], fldPath.Child("items").Index(i))...)
	}
	return errs
}

func keyToPath(kp *corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if kp.Key == "" {
		errs = append(errs, field.Required(fldPath.Child("key"), ""))
	}
	if kp.Path == "" {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	errs = append(errs, localNonReservedPath(kp.Path, fldPath.Child("path"))...)
	if kp.Mode != nil && (*kp.Mode > 0777 || *kp.Mode < 0) {
		errs = append(errs, field.Invalid(fldPath.Child("mode"), *kp.Mode, fileModeErrorMsg))
	}
	return errs
}

var validVolumeDownwardAPIFieldPathExpressions = sets.New("metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid")

// downwardAPIVolumeFile is upstream's validateDownwardAPIVolumeFile; sic,
// its errors are at the volume's path, not the item's.
func downwardAPIVolumeFile(file *corev1.DownwardAPIVolumeFile, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if file.Path == "" {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	errs = append(errs, localNonReservedPath(file.Path, fldPath.Child("path"))...)
	switch {
	case file.FieldRef != nil:
		errs = append(errs, objectFieldSelector(file.FieldRef, validVolumeDownwardAPIFieldPathExpressions, fldPath.Child("fieldRef"))...)
		if file.ResourceFieldRef != nil {
			errs = append(errs, field.Invalid(fldPath, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case file.ResourceFieldRef != nil:
		errs = append(errs, containerResourceFieldSelector(file.ResourceFieldRef, fldPath.Child("resourceFieldRef"), true)...)
	default:
		errs = append(errs, field.Required(fldPath, "one of fieldRef and resourceFieldRef is required"))
	}
	if file.Mode != nil && (*file.Mode > 0777 || *file.Mode < 0) {
		errs = append(errs, field.Invalid(fldPath.Child("mode"), *file.Mode, fileModeErrorMsg))
	}
	return errs
}

// projectedVolume is upstream's validateProjectedVolumeSource for the
// secret, configMap, downwardAPI and serviceAccountToken sources (and the
// one-type-per-source rule for all).
func projectedVolume(projection *corev1.ProjectedVolumeSource, fldPath *field.Path, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	if m := projection.DefaultMode; m != nil && (*m > 0777 || *m < 0) {
		errs = append(errs, field.Invalid(fldPath.Child("defaultMode"), *m, fileModeErrorMsg))
	}
	allPaths := sets.New[string]()
	addPath := func(p, value string) {
		if allPaths.Has(p) {
			errs = append(errs, field.Invalid(fldPath, value, "conflicting duplicate paths"))
		}
		allPaths.Insert(p)
	}
	for i, source := range projection.Sources {
		n := 0
		srcPath := fldPath.Child("sources").Index(i)
		if s := source.Secret; s != nil {
			n++
			p := srcPath.Child("secret")
			if s.Name == "" {
				errs = append(errs, field.Required(p.Child("name"), ""))
			}
			for j := range s.Items {
				errs = append(errs, keyToPath(&s.Items[j], p.Child("items").Index(j))...)
				if s.Items[j].Path != "" {
					addPath(s.Items[j].Path, s.Name)
				}
			}
		}
		if c := source.ConfigMap; c != nil {
			n++
			p := srcPath.Child("configMap")
			if c.Name == "" {
				errs = append(errs, field.Required(p.Child("name"), ""))
			}
			for j := range c.Items {
				errs = append(errs, keyToPath(&c.Items[j], p.Child("items").Index(j))...)
				if c.Items[j].Path != "" {
					addPath(c.Items[j].Path, c.Name)
				}
			}
		}
		if d := source.DownwardAPI; d != nil {
			n++
			for j := range d.Items {
				errs = append(errs, downwardAPIVolumeFile(&d.Items[j], srcPath.Child("downwardAPI"))...)
				if d.Items[j].Path != "" {
					addPath(d.Items[j].Path, d.Items[j].Path)
				}
			}
		}
		if t := source.ServiceAccountToken; t != nil {
			n++
			p := srcPath.Child("serviceAccountToken")
			if exp := t.ExpirationSeconds; exp == nil {
				errs = append(errs, field.Required(p.Child("expirationSeconds"), ""))
			} else {
				if *exp < 10*60 {
					errs = append(errs, field.Invalid(p.Child("expirationSeconds"), *exp, "may not specify a duration less than 10 minutes"))
				}
				if *exp > 1<<32 {
					errs = append(errs, field.Invalid(p.Child("expirationSeconds"), *exp, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			if t.Path == "" {
				errs = append(errs, field.Required(fldPath.Child("path"), ""))
			} else if !opts.allowNonLocalProjectedTokenPath {
				errs = append(errs, localNonReservedPath(t.Path, fldPath.Child("path"))...)
			}
		}
		if b := source.ClusterTrustBundle; b != nil {
			n++
			p := srcPath.Child("clusterTrustBundle")
			switch {
			case b.Name != nil && b.SignerName != nil:
				errs = append(errs, field.Invalid(p, b, "only one of name and signerName may be used"))
			case b.Name != nil:
				if *b.Name == "" {
					errs = append(errs, field.Required(p.Child("name"), "must be a valid object name"))
				}
				if b.LabelSelector != nil {
					errs = append(errs, field.Invalid(p.Child("labelSelector"), b.LabelSelector, "labelSelector must be unset if name is specified"))
				}
			case b.SignerName != nil:
				if *b.SignerName == "" {
					errs = append(errs, field.Required(p.Child("signerName"), "must be a valid signer name"))
				}
				errs = append(errs, metav1validation.ValidateLabelSelector(b.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, p.Child("labelSelector"))...)
			default:
				errs = append(errs, field.Required(p, "either name or signerName must be specified"))
			}
			if b.Path == "" {
				errs = append(errs, field.Required(p.Child("path"), ""))
			}
			errs = append(errs, localNonReservedPath(b.Path, p.Child("path"))...)
			addPath(b.Path, b.Path)
		}
		if source.PodCertificate != nil {
			n++
		}
		if n > 1 {
			errs = append(errs, field.Forbidden(srcPath, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

func csiVolume(csi *corev1.CSIVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	p := fldPath.Child("driver")
	if csi.Driver == "" {
		errs = append(errs, field.Required(p, ""))
	} else {
		if len(csi.Driver) > 63 {
			errs = append(errs, field.TooLong(p, "", 63))
		}
		for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(csi.Driver)) {
			errs = append(errs, field.Invalid(p, csi.Driver, msg))
		}
	}
	if ref := csi.NodePublishSecretRef; ref != nil {
		if ref.Name == "" {
			errs = append(errs, field.Required(fldPath.Child("nodePublishSecretRef", "name"), ""))
		} else {
			for _, msg := range validation.IsDNS1123Subdomain(ref.Name) {
				errs = append(errs, field.Invalid(fldPath.Child("name"), ref.Name, msg))
			}
		}
	}
	return errs
}

var (
	supportedAccessModes = sets.New(corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod)
	supportedVolumeModes = sets.New(corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem)
)

// ephemeralVolume is upstream's validateEphemeralVolumeSource: the claim
// template's metadata (labels and annotations only) and the commonly used
// parts of its spec (access modes, storage request, class and volume mode;
// not data sources or selectors).
func ephemeralVolume(eph *corev1.EphemeralVolumeSource, fldPath *field.Path) field.ErrorList {
	if eph.VolumeClaimTemplate == nil {
		return field.ErrorList{field.Required(fldPath.Child("volumeClaimTemplate"), "")}
	}
	t := eph.VolumeClaimTemplate
	p := fldPath.Child("volumeClaimTemplate")
	errs := templateObjectMeta(&t.ObjectMeta, p.Child("metadata"))
	sp := p.Child("spec")
	spec := &t.Spec
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(sp.Child("accessModes"), "at least 1 access mode is required"))
	}
	if spec.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{}, sp.Child("selector"))...)
	}
	rwop, other := false, false
	for _, mode := range spec.AccessModes {
		if !supportedAccessModes.Has(mode) {
			errs = append(errs, field.NotSupported(sp.Child("accessModes"), mode, sets.List(supportedAccessModes)))
		}
		if mode == corev1.ReadWriteOncePod {
			rwop = true
		} else if supportedAccessModes.Has(mode) {
			other = true
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(sp.Child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
	}
	storagePath := sp.Child("resources").Key(string(corev1.ResourceStorage))
	if storage, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storagePath, ""))
	} else if e := positiveQuantity(storage, storagePath); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		errs = append(errs, resourceQuantityValue(corev1.ResourceStorage, storage, storagePath)...)
	}
	if spec.StorageClassName != nil && *spec.StorageClassName != "" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(sp.Child("storageClassName"), *spec.StorageClassName, msg))
		}
	}
	if spec.VolumeMode != nil && !supportedVolumeModes.Has(*spec.VolumeMode) {
		errs = append(errs, field.NotSupported(sp.Child("volumeMode"), *spec.VolumeMode, sets.List(supportedVolumeModes)))
	}
	return errs
}

// templateObjectMeta is upstream's ValidateTemplateObjectMeta: only labels
// and annotations may be set.
func templateObjectMeta(meta *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	errs := apimachineryvalidation.ValidateAnnotations(meta.Annotations, fldPath.Child("annotations"))
	errs = append(errs, metav1validation.ValidateLabels(meta.Labels, fldPath.Child("labels"))...)
	return append(errs, fieldAllowList(*meta, sets.New("Annotations", "Labels"), "cannot be set", fldPath)...)
}

// volumeMounts is upstream's ValidateVolumeMounts.
func volumeMounts(mounts []corev1.VolumeMount, devices map[string]string, vols map[string]corev1.VolumeSource, ctr *corev1.Container, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	mountpoints := sets.New[string]()
	for i, mnt := range mounts {
		p := fldPath.Index(i)
		if mnt.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		if _, ok := vols[mnt.Name]; !ok {
			errs = append(errs, field.NotFound(p.Child("name"), mnt.Name))
		}
		if mnt.MountPath == "" {
			errs = append(errs, field.Required(p.Child("mountPath"), ""))
		}
		if mountpoints.Has(mnt.MountPath) {
			errs = append(errs, field.Invalid(p.Child("mountPath"), mnt.MountPath, "must be unique"))
		}
		mountpoints.Insert(mnt.MountPath)
		if _, ok := devices[mnt.Name]; ok {
			errs = append(errs, field.Invalid(p.Child("name"), mnt.Name, "must not already exist in volumeDevices"))
		}
		if hasPath(devices, mnt.MountPath) {
			errs = append(errs, field.Invalid(p.Child("mountPath"), mnt.MountPath, "must not already exist as a path in volumeDevices"))
		}
		// sic: upstream's subPath errors name the list, not the mount.
		if mnt.SubPath != "" {
			errs = append(errs, localDescendingPath(mnt.SubPath, fldPath.Child("subPath"))...)
		}
		if mnt.SubPathExpr != "" {
			if mnt.SubPath != "" {
				errs = append(errs, field.Invalid(p.Child("subPathExpr"), mnt.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			errs = append(errs, localDescendingPath(mnt.SubPathExpr, fldPath.Child("subPathExpr"))...)
		}
		if mnt.MountPropagation != nil {
			errs = append(errs, mountPropagation(*mnt.MountPropagation, ctr, fldPath.Child("mountPropagation"))...)
		}
		errs = append(errs, recursiveReadOnly(mnt, fldPath.Child("recursiveReadOnly"))...)
	}
	return errs
}

func hasPath(byName map[string]string, p string) bool {
	for _, v := range byName {
		if v == p {
			return true
		}
	}
	return false
}

var supportedMountPropagations = sets.New(corev1.MountPropagationBidirectional, corev1.MountPropagationHostToContainer, corev1.MountPropagationNone)

func mountPropagation(mode corev1.MountPropagationMode, ctr *corev1.Container, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !supportedMountPropagations.Has(mode) {
		errs = append(errs, field.NotSupported(fldPath, mode, sets.List(supportedMountPropagations)))
	}
	privileged := ctr.SecurityContext != nil && ctr.SecurityContext.Privileged != nil && *ctr.SecurityContext.Privileged
	if mode == corev1.MountPropagationBidirectional && !privileged {
		errs = append(errs, field.Forbidden(fldPath, "Bidirectional mount propagation is available only to privileged containers"))
	}
	return errs
}

var supportedRecursiveReadOnly = sets.New(corev1.RecursiveReadOnlyDisabled, corev1.RecursiveReadOnlyIfPossible, corev1.RecursiveReadOnlyEnabled)

func recursiveReadOnly(mnt corev1.VolumeMount, fldPath *field.Path) field.ErrorList {
	if mnt.RecursiveReadOnly == nil {
		return nil
	}
	var errs field.ErrorList
	switch *mnt.RecursiveReadOnly {
	case corev1.RecursiveReadOnlyDisabled:
	case corev1.RecursiveReadOnlyEnabled, corev1.RecursiveReadOnlyIfPossible:
		if !mnt.ReadOnly {
			errs = append(errs, field.Forbidden(fldPath, "may only be specified when readOnly is true"))
		}
		if mnt.MountPropagation != nil && *mnt.MountPropagation != corev1.MountPropagationNone {
			errs = append(errs, field.Forbidden(fldPath, "may only be specified when mountPropagation is None or not specified"))
		}
	default:
		errs = append(errs, field.NotSupported(fldPath, *mnt.RecursiveReadOnly, sets.List(supportedRecursiveReadOnly)))
	}
	return errs
}

// volumeDevices is upstream's ValidateVolumeDevices: block devices come
// from persistentVolumeClaim or ephemeral volumes.
func volumeDevices(devices []corev1.VolumeDevice, mounts map[string]string, vols map[string]corev1.VolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths, names := sets.New[string](), sets.New[string]()
	for i, dev := range devices {
		p := fldPath.Index(i)
		src, matched := vols[dev.Name]
		if dev.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		if names.Has(dev.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), dev.Name, "must be unique"))
		}
		if matched && src.PersistentVolumeClaim == nil && src.Ephemeral == nil {
			errs = append(errs, field.Invalid(p.Child("name"), dev.Name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"))
		}
		if !matched {
			errs = append(errs, field.NotFound(p.Child("name"), dev.Name))
		}
		if dev.DevicePath == "" {
			errs = append(errs, field.Required(p.Child("devicePath"), ""))
		}
		if paths.Has(dev.DevicePath) {
			errs = append(errs, field.Invalid(p.Child("devicePath"), dev.DevicePath, "must be unique"))
		}
		if dev.DevicePath != "" && len(pathNoBacksteps(dev.DevicePath, p)) > 0 {
			errs = append(errs, field.Invalid(p.Child("devicePath"), dev.DevicePath, "can not contain backsteps ('..')"))
		} else {
			paths.Insert(dev.DevicePath)
		}
		if _, ok := mounts[dev.Name]; ok {
			errs = append(errs, field.Invalid(p.Child("name"), dev.Name, "must not already exist in volumeMounts"))
		}
		if hasPath(mounts, dev.DevicePath) {
			errs = append(errs, field.Invalid(p.Child("devicePath"), dev.DevicePath, "must not already exist as a path in volumeMounts"))
		}
		if dev.Name != "" {
			names.Insert(dev.Name)
		}
	}
	return errs
}

// localDescendingPath: relative, and no ".." element.
func localDescendingPath(target string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(target) {
		errs = append(errs, field.Invalid(fldPath, target, "must be a relative path"))
	}
	return append(errs, pathNoBacksteps(target, fldPath)...)
}

func pathNoBacksteps(target string, fldPath *field.Path) field.ErrorList {
	for _, item := range strings.Split(filepath.ToSlash(target), "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(fldPath, target, "must not contain '..'")}
		}
	}
	return nil
}

// localNonReservedPath is upstream's ValidateLocalNonReservedPath.
func localNonReservedPath(target string, fldPath *field.Path) field.ErrorList {
	errs := localDescendingPath(target, fldPath)
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		errs = append(errs, field.Invalid(fldPath, target, "must not start with '..'"))
	}
	return errs
}
