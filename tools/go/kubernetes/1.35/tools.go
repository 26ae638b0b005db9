//go:build tools

// Package tools pins the kubernetes commands kvalidate's tests run (kube-apiserver, kubectl).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
