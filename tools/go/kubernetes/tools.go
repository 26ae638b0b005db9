//go:build tools

// Package tools pins the kubernetes commands kvalidate runs: kube-apiserver and kubectl for every plane,
// kube-controller-manager and kube-scheduler for a full plane (`kvalidate up --full`).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
