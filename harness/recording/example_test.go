package recording_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/recording"
)

// Record alice's requests, then read them as Requests and as kube-apiserver's
// audit log (docs/recording.md).
func Example() {
	ctx := context.Background()
	s, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Stop()
	cfg, err := s.AddUser("alice", []string{"system:masters"})
	if err != nil {
		log.Fatal(err)
	}
	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"alice"}}})

	cms := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default")
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{}); err != nil {
		log.Fatal(err)
	}
	if _, err := cms.List(ctx, metav1.ListOptions{}); err != nil {
		log.Fatal(err)
	}
	rec.Stop()

	for _, r := range rec.Requests() {
		fmt.Println(r.User, r.Verb, r.Object(), r.Namespace, r.Name, r.Code)
	}
	fmt.Println("lists without a selector:", rec.Count(recording.ListsWithoutSelector()))

	var auditLog bytes.Buffer
	if err := rec.WriteAuditLog(&auditLog); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(&auditLog)
	for sc.Scan() {
		var ev struct {
			APIVersion, Kind, Level, Stage, Verb string
			ObjectRef                            struct{ Resource, Namespace, Name string }
			ResponseStatus                       struct{ Code int }
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.APIVersion, ev.Kind, ev.Level, ev.Stage, ev.Verb, ev.ObjectRef.Resource, ev.ObjectRef.Name, ev.ResponseStatus.Code)
	}
	// Output:
	// alice create configmaps default web 201
	// alice list configmaps default  200
	// lists without a selector: 1
	// audit.k8s.io/v1 Event Metadata ResponseComplete create configmaps web 201
	// audit.k8s.io/v1 Event Metadata ResponseComplete list configmaps  200
}
