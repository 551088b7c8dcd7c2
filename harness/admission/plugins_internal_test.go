package admission

import (
	"slices"
	"testing"
)

// TestEveryPluginIsOrdered: a plugin missing from order would never run.
func TestEveryPluginIsOrdered(t *testing.T) {
	for _, p := range plugins {
		if !slices.Contains(order, p.name) {
			t.Errorf("plugin %s is not in order", p.name)
		}
	}
}
