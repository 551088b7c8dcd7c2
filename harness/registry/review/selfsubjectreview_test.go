package review

import (
	"context"
	"reflect"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestSelfSubjectReviewCreate(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	r := NewSelfSubjectReview()
	r.SetClock(clocktesting.NewFakePassiveClock(now))
	ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{
		Name: "alice", UID: "u-1", Groups: []string{"devs", "system:authenticated"},
		Extra: map[string][]string{"scopes": {"a"}},
	})
	in := &authenticationv1.SelfSubjectReview{ObjectMeta: metav1.ObjectMeta{Name: "ignored"}}

	got, err := r.Create(ctx, in, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &authenticationv1.SelfSubjectReview{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(now)},
		Status: authenticationv1.SelfSubjectReviewStatus{UserInfo: authenticationv1.UserInfo{
			Username: "alice", UID: "u-1", Groups: []string{"devs", "system:authenticated"},
			Extra: map[string]authenticationv1.ExtraValue{"scopes": {"a"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestSelfSubjectReviewNoUser(t *testing.T) {
	_, err := NewSelfSubjectReview().Create(context.Background(), &authenticationv1.SelfSubjectReview{}, nil, nil)
	if !apierrors.IsBadRequest(err) || err.Error() != "no user present on request" {
		t.Fatalf("got %v, want a 400 %q", err, "no user present on request")
	}
}
