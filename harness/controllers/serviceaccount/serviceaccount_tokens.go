package serviceaccount

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	apiserverserviceaccount "k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	clientretry "k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/controllers"
)

// TokenGenerator signs the token a kubernetes.io/service-account-token
// Secret of a service account holds.
type TokenGenerator interface {
	LegacyToken(sa *corev1.ServiceAccount, secret *corev1.Secret) (string, error)
}

// TokensController is kube-controller-manager's serviceaccount-token
// controller (pkg/controller/serviceaccount/tokens_controller.go): it fills
// every kubernetes.io/service-account-token Secret whose
// "kubernetes.io/service-account.name" annotation names an existing
// service account with "token", "ca.crt" and "namespace", and annotates it
// with the account's uid; it deletes such Secrets whose account is gone
// (or was recreated under another uid), and drops a deleted Secret from its
// account's secrets.
type TokensController struct {
	// informers lists and watches; client writes.
	informers, client kubernetes.Interface
	token             TokenGenerator
	rootCA            []byte
}

// NewTokens returns the controller for the server config reaches, signing
// with token and publishing rootCA (PEM) as ca.crt. It starts nothing.
func NewTokens(config *rest.Config, rootCA []byte, token TokenGenerator) (*TokensController, error) {
	c := &TokensController{token: token, rootCA: rootCA}
	for _, x := range []struct {
		agent  string
		client *kubernetes.Interface
	}{{"shared-informers", &c.informers}, {"tokens-controller", &c.client}} {
		cfg := rest.CopyConfig(config)
		cfg.UserAgent = controllers.UserAgent(x.agent)
		cfg.WarningHandler, cfg.WarningHandlerWithContext = rest.NoWarnings{}, nil
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s client: %w", x.agent, err)
		}
		*x.client = cs
	}
	return c, nil
}

// maxTokenRetries is how often a key is retried before it is dropped.
const maxTokenRetries = 10

// removeTokenBackoff paces removing a deleted Secret from its account.
var removeTokenBackoff = wait.Backoff{Steps: 10, Duration: 100 * time.Millisecond, Jitter: 1.0}

// serviceAccountKey is enough to find a service account again or, if it is
// gone, its Secrets.
type serviceAccountKey struct {
	namespace, name string
	uid             types.UID
}

// secretKey is enough to find a Secret again or, if it is gone, to drop it
// from its account; saUID is empty while the Secret is not annotated yet.
type secretKey struct {
	namespace, name string
	uid             types.UID
	saName          string
	saUID           types.UID
}

type tokensSync struct {
	*TokensController
	accounts corelisters.ServiceAccountLister
	secrets  corelisters.SecretLister
	saQueue  workqueue.TypedRateLimitingInterface[serviceAccountKey]
	secQueue workqueue.TypedRateLimitingInterface[secretKey]
}

// Run runs the controller with the given number of workers per queue until
// ctx ends; it returns once every goroutine it started has. Call it once.
func (c *TokensController) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	factory := informers.NewSharedInformerFactory(c.informers, 0)
	accounts, secrets := factory.Core().V1().ServiceAccounts(), factory.Core().V1().Secrets()
	s := &tokensSync{
		TokensController: c,
		accounts:         accounts.Lister(),
		secrets:          secrets.Lister(),
		saQueue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[serviceAccountKey](),
			workqueue.TypedRateLimitingQueueConfig[serviceAccountKey]{}),
		secQueue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[secretKey](),
			workqueue.TypedRateLimitingQueueConfig[secretKey]{}),
	}
	var wg sync.WaitGroup
	defer func() {
		s.saQueue.ShutDown()
		s.secQueue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	if err := s.addEventHandlers(accounts.Informer(), secrets.Informer()); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Tokens controller cannot watch")
		return
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), accounts.Informer().HasSynced, secrets.Informer().HasSynced) {
		return
	}
	for range workers {
		wg.Go(func() { wait.UntilWithContext(ctx, s.runServiceAccounts, 0) })
		wg.Go(func() { wait.UntilWithContext(ctx, s.runSecrets, 0) })
	}
	<-ctx.Done()
}

func (s *tokensSync) addEventHandlers(accounts, secrets cache.SharedIndexInformer) error {
	queueAccount := func(obj any) {
		if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = t.Obj
		}
		if sa, ok := obj.(*corev1.ServiceAccount); ok {
			s.saQueue.Add(serviceAccountKey{sa.Namespace, sa.Name, sa.UID})
		}
	}
	if _, err := accounts.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    queueAccount,
		UpdateFunc: func(_, obj any) { queueAccount(obj) },
		DeleteFunc: queueAccount,
	}); err != nil {
		return err
	}
	// as upstream, a tombstone of a Secret is not followed up.
	queueSecret := func(obj any) {
		if secret, ok := obj.(*corev1.Secret); ok {
			s.secQueue.Add(secretKey{secret.Namespace, secret.Name, secret.UID,
				secret.Annotations[corev1.ServiceAccountNameKey], types.UID(secret.Annotations[corev1.ServiceAccountUIDKey])})
		}
	}
	_, err := secrets.AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: func(obj any) bool {
			secret, ok := obj.(*corev1.Secret)
			return ok && secret.Type == corev1.SecretTypeServiceAccountToken
		},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    queueSecret,
			UpdateFunc: func(_, obj any) { queueSecret(obj) },
			DeleteFunc: queueSecret,
		},
	})
	return err
}

// retryOrForget requeues key (rate limited, at most maxTokenRetries times)
// if retry, and forgets it otherwise.
func retryOrForget[T comparable](queue workqueue.TypedRateLimitingInterface[T], key T, retry bool) {
	if retry && queue.NumRequeues(key) < maxTokenRetries {
		queue.AddRateLimited(key)
		return
	}
	queue.Forget(key)
}

// runServiceAccounts syncs one service account: if it is gone, its token
// Secrets go too.
func (s *tokensSync) runServiceAccounts(ctx context.Context) {
	key, quit := s.saQueue.Get()
	if quit {
		return
	}
	defer s.saQueue.Done(key)
	retry := false
	defer func() { retryOrForget(s.saQueue, key, retry) }()
	sa, err := s.getServiceAccount(ctx, key.namespace, key.name, key.uid, false)
	switch {
	case err != nil:
		klog.FromContext(ctx).Error(err, "Getting service account")
		retry = true
	case sa == nil:
		gone := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: key.namespace, Name: key.name, UID: key.uid}}
		if retry, err = s.deleteTokens(ctx, gone); err != nil {
			klog.FromContext(ctx).Error(err, "Error deleting serviceaccount tokens", "serviceAccount", klog.KObj(gone))
		}
	}
}

// runSecrets syncs one token Secret: fills it if its account exists,
// deletes it if not, and drops a deleted one from its account.
func (s *tokensSync) runSecrets(ctx context.Context) {
	key, quit := s.secQueue.Get()
	if quit {
		return
	}
	defer s.secQueue.Done(key)
	retry := false
	defer func() { retryOrForget(s.secQueue, key, retry) }()
	if key.namespace == "" || key.name == "" || key.uid == "" || key.saName == "" {
		// a Secret naming no account: nothing to do.
		return
	}
	logger := klog.FromContext(ctx)
	secret, err := s.getSecret(key)
	switch {
	case err != nil:
		logger.Error(err, "Getting secret")
		retry = true
	case secret == nil:
		if sa, err := s.getServiceAccount(ctx, key.namespace, key.saName, key.saUID, false); err == nil && sa != nil {
			if err := clientretry.RetryOnConflict(removeTokenBackoff, func() error { return s.removeSecretReference(ctx, key) }); err != nil {
				logger.Error(err, "Removing secret reference")
			}
		}
	default:
		sa, err := s.getServiceAccount(ctx, key.namespace, key.saName, key.saUID, true)
		switch {
		case err != nil:
			logger.Error(err, "Getting service account")
			retry = true
		case sa == nil:
			var err error
			if retry, err = s.deleteToken(ctx, key.namespace, key.name, key.uid); err != nil {
				logger.Error(err, "Deleting serviceaccount token", "secret", klog.KRef(key.namespace, key.name))
			}
		default:
			var err error
			if retry, err = s.generateTokenIfNeeded(ctx, sa, secret); err != nil {
				logger.Error(err, "Populating serviceaccount token", "secret", klog.KRef(key.namespace, key.name))
			}
		}
	}
}

func (s *tokensSync) deleteTokens(ctx context.Context, sa *corev1.ServiceAccount) (bool, error) {
	secrets, err := s.secrets.Secrets(sa.Namespace).List(labels.Everything())
	if err != nil {
		return false, err // a cache lookup: not retried
	}
	retry := false
	var errs []error
	for _, secret := range secrets {
		if !apiserverserviceaccount.IsServiceAccountToken(secret, sa) {
			continue
		}
		r, err := s.deleteToken(ctx, secret.Namespace, secret.Name, secret.UID)
		if err != nil {
			errs = append(errs, err)
		}
		retry = retry || r
	}
	return retry, utilerrors.NewAggregate(errs)
}

// deleteToken deletes a Secret of the given uid; NotFound and Conflict
// (another uid) are done.
func (s *tokensSync) deleteToken(ctx context.Context, namespace, name string, uid types.UID) (bool, error) {
	var opts metav1.DeleteOptions
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	err := s.client.CoreV1().Secrets(namespace).Delete(ctx, name, opts)
	if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return false, nil
	}
	return true, err
}

// updateNeeded says which of ca.crt, namespace and token secret lacks.
func (s *tokensSync) updateNeeded(secret *corev1.Secret) (ca, namespace, token bool) {
	ca = len(s.rootCA) > 0 && !bytes.Equal(secret.Data[corev1.ServiceAccountRootCAKey], s.rootCA)
	return ca, len(secret.Data[corev1.ServiceAccountNamespaceKey]) == 0, len(secret.Data[corev1.ServiceAccountTokenKey]) == 0
}

// generateTokenIfNeeded fills a fresh copy of cached, if the cache is up
// to date; a conflict or a deletion meanwhile ends the sync (an event
// follows).
func (s *tokensSync) generateTokenIfNeeded(ctx context.Context, sa *corev1.ServiceAccount, cached *corev1.Secret) (bool, error) {
	if ca, ns, tok := s.updateNeeded(cached); !ca && !ns && !tok {
		return false, nil
	}
	secrets := s.client.CoreV1().Secrets(cached.Namespace)
	live, err := secrets.Get(ctx, cached.Name, metav1.GetOptions{})
	if err != nil {
		return !apierrors.IsNotFound(err), err
	}
	if live.ResourceVersion != cached.ResourceVersion {
		return false, nil
	}
	needsCA, needsNamespace, needsToken := s.updateNeeded(live)
	if !needsCA && !needsNamespace && !needsToken {
		return false, nil
	}
	if live.Annotations == nil {
		live.Annotations = map[string]string{}
	}
	if live.Data == nil {
		live.Data = map[string][]byte{}
	}
	if needsCA {
		live.Data[corev1.ServiceAccountRootCAKey] = s.rootCA
	}
	if needsNamespace {
		live.Data[corev1.ServiceAccountNamespaceKey] = []byte(live.Namespace)
	}
	if needsToken {
		token, err := s.token.LegacyToken(sa, live)
		if err != nil {
			return false, err
		}
		live.Data[corev1.ServiceAccountTokenKey] = []byte(token)
	}
	live.Annotations[corev1.ServiceAccountNameKey] = sa.Name
	live.Annotations[corev1.ServiceAccountUIDKey] = string(sa.UID)
	_, err = secrets.Update(ctx, live, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return false, nil
	}
	return err != nil, err
}

// removeSecretReference drops key's Secret from the secrets of its account
// (of key's uid, if set).
func (s *tokensSync) removeSecretReference(ctx context.Context, key secretKey) error {
	accounts := s.client.CoreV1().ServiceAccounts(key.namespace)
	sa, err := accounts.Get(ctx, key.saName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if key.saUID != "" && key.saUID != sa.UID {
		return nil
	}
	var kept []corev1.ObjectReference
	for _, r := range sa.Secrets {
		if r.Name != key.name {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(sa.Secrets) {
		return nil
	}
	sa.Secrets = kept
	_, err = accounts.Update(ctx, sa, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// getServiceAccount is the account namespace/name of uid (any, if empty)
// from the cache, or, if fetchOnCacheMiss, from the server; nil if none.
func (s *tokensSync) getServiceAccount(ctx context.Context, namespace, name string, uid types.UID, fetchOnCacheMiss bool) (*corev1.ServiceAccount, error) {
	sa, err := s.accounts.ServiceAccounts(namespace).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if sa != nil && (uid == "" || uid == sa.UID) {
		return sa, nil
	}
	if !fetchOnCacheMiss {
		return nil, nil
	}
	sa, err = s.client.CoreV1().ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if uid == "" || uid == sa.UID {
		return sa, nil
	}
	return nil, nil
}

// getSecret is key's Secret from the cache if it has key's uid; nil if not.
func (s *tokensSync) getSecret(key secretKey) (*corev1.Secret, error) {
	secret, err := s.secrets.Secrets(key.namespace).Get(key.name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if key.uid == "" || key.uid == secret.UID {
		return secret, nil
	}
	return nil, nil
}
