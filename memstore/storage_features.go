package memstore

import (
	"context"

	etcdversion "go.etcd.io/etcd/api/v3/version"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apiserver/pkg/storage"
	etcdfeature "k8s.io/apiserver/pkg/storage/feature"
)

// kube-apiserver's watch cache serves consistent lists and watch-list
// requests (sendInitialEvents) only if its storage supports
// RequestWatchProgress, which it learns from a process-wide checker that
// asks each etcd endpoint its version. memstore supports it, so every Storage
// declares it to the checker as an endpoint of the etcd version whose
// semantics it follows; without this the watch cache would reject watch-list
// requests ("the required storage feature RequestWatchProgress is disabled").

// featureEndpoint names memstore to the checker, which asks each endpoint once.
const featureEndpoint = "memstore://"

func declareFeatures() {
	etcdfeature.DefaultFeatureSupportChecker.CheckClient(context.Background(), featureClient{}, storage.RequestWatchProgress)
}

// featureClient answers the checker's version question.
type featureClient struct{}

func (featureClient) Endpoints() []string { return []string{featureEndpoint} }

func (featureClient) Status(context.Context, string) (*clientv3.StatusResponse, error) {
	return &clientv3.StatusResponse{Version: etcdversion.Version}, nil
}
