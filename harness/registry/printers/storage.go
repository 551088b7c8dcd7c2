package printers

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

const (
	// isDefaultStorageClass and its beta form mark the default storage class.
	isDefaultStorageClass     = "storageclass.kubernetes.io/is-default-class"
	betaIsDefaultStorageClass = "storageclass.beta.kubernetes.io/is-default-class"
)

func storage(s *set) {
	r := storagev1.Resource
	sc := add[storagev1.StorageClass, storagev1.StorageClassList](s, storageClassColumns,
		cells(func(c *storagev1.StorageClass) []interface{} { return printStorageClass(c, "") }), r("storageclasses"))
	sc.list = printStorageClassList
	add[storagev1.VolumeAttributesClass, storagev1.VolumeAttributesClassList](s, volumeAttributesClassColumns, cells(printVolumeAttributesClass), r("volumeattributesclasses"))
	add[storagev1.VolumeAttachment, storagev1.VolumeAttachmentList](s, volumeAttachmentColumns, cells(printVolumeAttachment), r("volumeattachments"))
	add[storagev1.CSINode, storagev1.CSINodeList](s, csiNodeColumns, cells(printCSINode), r("csinodes"))
	add[storagev1.CSIDriver, storagev1.CSIDriverList](s, csiDriverColumns, cells(printCSIDriver), r("csidrivers"))
	// csistoragecapacities keep the default table: upstream's store does not
	// use this printer.
	add[storagev1.CSIStorageCapacity, storagev1.CSIStorageCapacityList](s, csiStorageCapacityColumns, cells(printCSIStorageCapacity))
}

var storageClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Provisioner", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["provisioner"]},
	{Name: "ReclaimPolicy", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["reclaimPolicy"]},
	{Name: "VolumeBindingMode", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["volumeBindingMode"]},
	{Name: "AllowVolumeExpansion", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["allowVolumeExpansion"]},
	ageColumn,
}

// printStorageClass marks the class named effectiveDefault "(default)"; one
// class printed alone is never marked.
func printStorageClass(c *storagev1.StorageClass, effectiveDefault string) []interface{} {
	name := c.Name
	if effectiveDefault != "" && c.Name == effectiveDefault {
		name += " (default)"
	}
	reclaimPolicy := string(corev1.PersistentVolumeReclaimDelete)
	if c.ReclaimPolicy != nil {
		reclaimPolicy = string(*c.ReclaimPolicy)
	}
	bindingMode := string(storagev1.VolumeBindingImmediate)
	if c.VolumeBindingMode != nil {
		bindingMode = string(*c.VolumeBindingMode)
	}
	return []interface{}{name, c.Provisioner, reclaimPolicy, bindingMode, deref(c.AllowVolumeExpansion), age(c.CreationTimestamp)}
}

// printStorageClassList marks the effective default: of the classes
// annotated default, the newest, then the first by name.
func printStorageClassList(items []runtime.Object) ([]metav1.TableRow, error) {
	var def *storagev1.StorageClass
	for _, item := range items {
		c := item.(*storagev1.StorageClass)
		if c.Annotations[isDefaultStorageClass] != "true" && c.Annotations[betaIsDefaultStorageClass] != "true" {
			continue
		}
		if def == nil || c.CreationTimestamp.After(def.CreationTimestamp.Time) ||
			(c.CreationTimestamp.Equal(&def.CreationTimestamp) && c.Name < def.Name) {
			def = c
		}
	}
	effectiveDefault := ""
	if def != nil {
		effectiveDefault = def.Name
	}
	rows := make([]metav1.TableRow, 0, len(items))
	for _, item := range items {
		rows = append(rows, metav1.TableRow{Cells: printStorageClass(item.(*storagev1.StorageClass), effectiveDefault), Object: runtime.RawExtension{Object: item}})
	}
	return rows, nil
}

var volumeAttributesClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "DriverName", Type: "string", Description: storagev1.VolumeAttributesClass{}.SwaggerDoc()["driverName"]},
	ageColumn,
}

func printVolumeAttributesClass(c *storagev1.VolumeAttributesClass) []interface{} {
	return []interface{}{c.Name, c.DriverName, age(c.CreationTimestamp)}
}

var volumeAttachmentColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Attacher", Type: "string", Format: "name", Description: storagev1.VolumeAttachmentSpec{}.SwaggerDoc()["attacher"]},
	{Name: "PV", Type: "string", Description: storagev1.VolumeAttachmentSource{}.SwaggerDoc()["persistentVolumeName"]},
	{Name: "Node", Type: "string", Description: storagev1.VolumeAttachmentSpec{}.SwaggerDoc()["nodeName"]},
	{Name: "Attached", Type: "boolean", Description: storagev1.VolumeAttachmentStatus{}.SwaggerDoc()["attached"]},
	ageColumn,
}

func printVolumeAttachment(va *storagev1.VolumeAttachment) []interface{} {
	return []interface{}{va.Name, va.Spec.Attacher, deref(va.Spec.Source.PersistentVolumeName), va.Spec.NodeName, va.Status.Attached, age(va.CreationTimestamp)}
}

var csiNodeColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Drivers", Type: "integer", Description: "Drivers indicates the number of CSI drivers registered on the node"},
	ageColumn,
}

func printCSINode(n *storagev1.CSINode) []interface{} {
	return []interface{}{n.Name, int64(len(n.Spec.Drivers)), age(n.CreationTimestamp)}
}

var csiDriverColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "AttachRequired", Type: "boolean", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["attachRequired"]},
	{Name: "PodInfoOnMount", Type: "boolean", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["podInfoOnMount"]},
	{Name: "StorageCapacity", Type: "boolean", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["storageCapacity"]},
	{Name: "TokenRequests", Type: "string", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["tokenRequests"]},
	{Name: "RequiresRepublish", Type: "boolean", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["requiresRepublish"]},
	{Name: "Modes", Type: "string", Description: storagev1.CSIDriverSpec{}.SwaggerDoc()["volumeLifecycleModes"]},
	ageColumn,
}

// printCSIDriver: ATTACHREQUIRED defaults to true when unset.
func printCSIDriver(d *storagev1.CSIDriver) []interface{} {
	attachRequired := true
	if d.Spec.AttachRequired != nil {
		attachRequired = *d.Spec.AttachRequired
	}
	modes := make([]string, 0, len(d.Spec.VolumeLifecycleModes))
	for _, m := range d.Spec.VolumeLifecycleModes {
		modes = append(modes, string(m))
	}
	modesText := strings.Join(modes, ",")
	if modesText == "" {
		modesText = "<none>"
	}
	tokenRequests := "<unset>"
	if d.Spec.TokenRequests != nil {
		audiences := make([]string, 0, len(d.Spec.TokenRequests))
		for _, t := range d.Spec.TokenRequests {
			audiences = append(audiences, t.Audience)
		}
		tokenRequests = strings.Join(audiences, ",")
	}
	return []interface{}{d.Name, attachRequired, deref(d.Spec.PodInfoOnMount), deref(d.Spec.StorageCapacity),
		tokenRequests, deref(d.Spec.RequiresRepublish), modesText, age(d.CreationTimestamp)}
}

var csiStorageCapacityColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "StorageClassName", Type: "string", Description: storagev1.CSIStorageCapacity{}.SwaggerDoc()["storageClassName"]},
	{Name: "Capacity", Type: "string", Description: storagev1.CSIStorageCapacity{}.SwaggerDoc()["capacity"]},
}

func printCSIStorageCapacity(c *storagev1.CSIStorageCapacity) []interface{} {
	capacity := "<unset>"
	if c.Capacity != nil {
		capacity = quantity(*c.Capacity)
	}
	return []interface{}{c.Name, c.StorageClassName, capacity}
}
