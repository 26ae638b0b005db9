//go:build tools

// Package tools pins the helm command (Helm 4).
package tools

import _ "helm.sh/helm/v4/cmd/helm"
