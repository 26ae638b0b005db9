//go:build tools

// Package tools pins the helm command (Helm 3, selectable with `helm: 3`).
package tools

import _ "helm.sh/helm/v3/cmd/helm"
