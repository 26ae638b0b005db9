// Reading and writing kubeconfig files, as kubectl understands them: KUBECONFIG lists of files
// (first definition of a name wins), current-context, inline *-data and file references (relative to
// the kubeconfig's own folder), tokens and tokenFile, basic auth, exec credential plugins (run later, by
// kube/credentials), tls-server-name, proxy-url and impersonation (as, as-groups, as-uid, as-user-extra).
// Legacy auth-provider users are refused with a pointer to their exec replacement.
#pragma once

#include <string>

#include "core/status.h"
#include "kube/cluster.h"

namespace kv::kube {

// `paths` is one path or a ':'-separated list (as $KUBECONFIG). An empty `context` means
// current-context. Errors name the file and, for YAML errors, the line: exit code 2 (also for a context
// naming a user no file defines, and for a token with control characters).
Result<Cluster> load_kubeconfig(const std::string& paths, const std::string& context = "");

// A self-contained kubeconfig (certificates inline) for `cluster`, with one context named `name`.
std::string render_kubeconfig(const Cluster& cluster, const std::string& name);

// Base64 of `data` (standard alphabet, padded) and back; decode fails on invalid input.
std::string base64_encode(const std::string& data);
Result<std::string> base64_decode(const std::string& text);

}  // namespace kv::kube
