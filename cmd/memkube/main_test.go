package main

import (
	"reflect"
	"testing"

	"github.com/memkube/memkube/harness"
)

func TestParseStorage(t *testing.T) {
	tests := []struct {
		in      string
		want    harness.StorageOptions
		wantErr bool
	}{
		{in: "memory", want: harness.StorageOptions{Backend: harness.Memory}},
		{in: "etcd-embedded", want: harness.StorageOptions{Backend: harness.EmbeddedEtcd}},
		{in: "etcd=http://127.0.0.1:2379,http://127.0.0.1:22379", want: harness.StorageOptions{Backend: harness.ExternalEtcd, Endpoints: []string{"http://127.0.0.1:2379", "http://127.0.0.1:22379"}}},
		{in: "etcd=", wantErr: true},
		{in: "etcd", wantErr: true},
		{in: "postgres", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseStorage(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseStorage(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
