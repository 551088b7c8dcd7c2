package memstoretest

import "testing"

func TestUpstreamConformance(t *testing.T) {
	RunUpstreamConformance(t, Etcd())
}
