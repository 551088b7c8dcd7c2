package printers

import (
	storagemigrationv1 "k8s.io/api/storagemigration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func storagemigration(s *set) {
	add[storagemigrationv1.StorageVersionMigration, storagemigrationv1.StorageVersionMigrationList](s, storageVersionMigrationColumns,
		cells(printStorageVersionMigration), storagemigrationv1.Resource("storageversionmigrations"))
}

var storageVersionMigrationColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Description: objectMetaDoc["name"]},
	{Name: "Resource", Type: "string", Description: "GroupResource to migrate"},
	{Name: "Status", Type: "string", Description: "Status of the migration"},
}

// printStorageVersionMigration: STATUS is the last true Running, Failed or
// Succeeded condition, else Unknown.
func printStorageVersionMigration(m *storagemigrationv1.StorageVersionMigration) []interface{} {
	status := "Unknown"
	for _, c := range m.Status.Conditions {
		if c.Status != metav1.ConditionTrue {
			continue
		}
		switch c.Type {
		case string(storagemigrationv1.MigrationRunning), string(storagemigrationv1.MigrationFailed), string(storagemigrationv1.MigrationSucceeded):
			status = c.Type
		}
	}
	return []interface{}{m.Name, m.Spec.Resource.String(), status}
}
