package node

import (
	corev1 "k8s.io/api/core/v1"
)

// visitPodSecretNames calls visit with the name of each secret pod
// references directly, as upstream's podutil.VisitPodSecretNames: image
// pull secrets, every container's (init and ephemeral ones too) envFrom
// and env, and the secret references of its volume sources. Empty names
// are skipped.
func visitPodSecretNames(pod *corev1.Pod, visit func(name string)) {
	visit = skipEmpty(visit)
	for _, ref := range pod.Spec.ImagePullSecrets {
		visit(ref.Name)
	}
	visitContainerEnv(pod, func(from []corev1.EnvFromSource, env []corev1.EnvVar) {
		for _, f := range from {
			if f.SecretRef != nil {
				visit(f.SecretRef.Name)
			}
		}
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				visit(e.ValueFrom.SecretKeyRef.Name)
			}
		}
	})
	for i := range pod.Spec.Volumes {
		s := &pod.Spec.Volumes[i].VolumeSource
		switch {
		case s.AzureFile != nil:
			visit(s.AzureFile.SecretName)
		case s.CephFS != nil:
			visitLocalRef(s.CephFS.SecretRef, visit)
		case s.Cinder != nil:
			visitLocalRef(s.Cinder.SecretRef, visit)
		case s.FlexVolume != nil:
			visitLocalRef(s.FlexVolume.SecretRef, visit)
		case s.Projected != nil:
			for _, p := range s.Projected.Sources {
				if p.Secret != nil {
					visit(p.Secret.Name)
				}
			}
		case s.RBD != nil:
			visitLocalRef(s.RBD.SecretRef, visit)
		case s.Secret != nil:
			visit(s.Secret.SecretName)
		case s.ScaleIO != nil:
			visitLocalRef(s.ScaleIO.SecretRef, visit)
		case s.ISCSI != nil:
			visitLocalRef(s.ISCSI.SecretRef, visit)
		case s.StorageOS != nil:
			visitLocalRef(s.StorageOS.SecretRef, visit)
		case s.CSI != nil:
			visitLocalRef(s.CSI.NodePublishSecretRef, visit)
		}
	}
}

// visitPodConfigMapNames calls visit with the name of each config map pod
// references, as upstream's podutil.VisitPodConfigmapNames: every
// container's envFrom and env, configMap and projected volumes. Empty
// names are skipped.
func visitPodConfigMapNames(pod *corev1.Pod, visit func(name string)) {
	visit = skipEmpty(visit)
	visitContainerEnv(pod, func(from []corev1.EnvFromSource, env []corev1.EnvVar) {
		for _, f := range from {
			if f.ConfigMapRef != nil {
				visit(f.ConfigMapRef.Name)
			}
		}
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				visit(e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
	})
	for i := range pod.Spec.Volumes {
		s := &pod.Spec.Volumes[i].VolumeSource
		switch {
		case s.Projected != nil:
			for _, p := range s.Projected.Sources {
				if p.ConfigMap != nil {
					visit(p.ConfigMap.Name)
				}
			}
		case s.ConfigMap != nil:
			visit(s.ConfigMap.Name)
		}
	}
}

// visitContainerEnv calls visit with the environment of each of pod's
// init, regular and ephemeral containers.
func visitContainerEnv(pod *corev1.Pod, visit func([]corev1.EnvFromSource, []corev1.EnvVar)) {
	for _, c := range pod.Spec.InitContainers {
		visit(c.EnvFrom, c.Env)
	}
	for _, c := range pod.Spec.Containers {
		visit(c.EnvFrom, c.Env)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		visit(c.EnvFrom, c.Env)
	}
}

// visitLocalRef visits the secret a volume source references, if any.
func visitLocalRef(ref *corev1.LocalObjectReference, visit func(name string)) {
	if ref != nil {
		visit(ref.Name)
	}
}

func skipEmpty(visit func(string)) func(string) {
	return func(name string) {
		if name != "" {
			visit(name)
		}
	}
}

// visitPVSecretNames calls visit with the namespace and name of each
// secret of pv's source, and whether the kubelet uses it (a CSI volume's
// controller secrets are the attacher's and expander's), as upstream's
// pvutil.VisitPVSecretNames. A reference without a namespace is to the
// namespace of the PV's claim, for sources whose references had none at
// first. Empty names are skipped.
func visitPVSecretNames(pv *corev1.PersistentVolume, visit func(namespace, name string, kubeletVisible bool)) {
	claimNamespace := ""
	if pv.Spec.ClaimRef != nil {
		claimNamespace = pv.Spec.ClaimRef.Namespace
	}
	inClaimNamespace := func(ref *corev1.SecretReference) {
		if ref == nil || ref.Name == "" {
			return
		}
		ns := claimNamespace
		if ref.Namespace != "" {
			ns = ref.Namespace
		}
		visit(ns, ref.Name, true)
	}
	asIs := func(ref *corev1.SecretReference, kubeletVisible bool) {
		if ref != nil && ref.Name != "" {
			visit(ref.Namespace, ref.Name, kubeletVisible)
		}
	}
	s := &pv.Spec.PersistentVolumeSource
	switch {
	case s.AzureFile != nil:
		if s.AzureFile.SecretName == "" {
			return
		}
		ns := claimNamespace
		if s.AzureFile.SecretNamespace != nil && *s.AzureFile.SecretNamespace != "" {
			ns = *s.AzureFile.SecretNamespace
		}
		visit(ns, s.AzureFile.SecretName, true)
	case s.CephFS != nil:
		inClaimNamespace(s.CephFS.SecretRef)
	case s.Cinder != nil:
		asIs(s.Cinder.SecretRef, true)
	case s.FlexVolume != nil:
		inClaimNamespace(s.FlexVolume.SecretRef)
	case s.RBD != nil:
		inClaimNamespace(s.RBD.SecretRef)
	case s.ScaleIO != nil:
		inClaimNamespace(s.ScaleIO.SecretRef)
	case s.ISCSI != nil:
		inClaimNamespace(s.ISCSI.SecretRef)
	case s.StorageOS != nil:
		if r := s.StorageOS.SecretRef; r != nil && r.Name != "" {
			visit(r.Namespace, r.Name, true)
		}
	case s.CSI != nil:
		asIs(s.CSI.ControllerPublishSecretRef, false)
		asIs(s.CSI.ControllerExpandSecretRef, false)
		asIs(s.CSI.NodePublishSecretRef, true)
		asIs(s.CSI.NodeStageSecretRef, true)
		asIs(s.CSI.NodeExpandSecretRef, true)
	}
}

// resourceClaimName is the name of the ResourceClaim a pod's claim entry
// stands for, as upstream's resourceclaim.Name: the named claim, or the
// one generated from the template, as the pod's status records it. It is
// "" while the generated claim is not recorded yet, and when the status
// says none was needed.
func resourceClaimName(pod *corev1.Pod, claim *corev1.PodResourceClaim) string {
	switch {
	case claim.ResourceClaimName != nil:
		return *claim.ResourceClaimName
	case claim.ResourceClaimTemplateName != nil:
		for _, s := range pod.Status.ResourceClaimStatuses {
			if s.Name == claim.Name && s.ResourceClaimName != nil {
				return *s.ResourceClaimName
			}
		}
	}
	return ""
}
