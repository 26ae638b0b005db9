//go:build tools

// Package tools pins KWOK's controller (the `kwok` command), which a full plane runs to simulate nodes
// and move pods to Running/Succeeded.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
