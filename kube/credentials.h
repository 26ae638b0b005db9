// Where a request's credentials come from: the kubeconfig's own token, basic auth or client certificate,
// or an exec credential plugin (client.authentication.k8s.io v1/v1beta1) run as client-go runs it and
// cached for the whole process until its expirationTimestamp, refreshed once after a 401.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "kube/cluster.h"

namespace kv::kube {

struct Credential {
  std::string token;
  std::string cert_pem, key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// What requests use right now. `generation` identifies the plugin output it came from (0: static).
struct CredentialSnapshot {
  Credential cred;
  uint64_t generation = 0;
  bool from_exec = false;
};

// True when `cluster` gets its credentials from its exec plugin (it has one and no token, basic auth or
// client certificate of its own, as client-go decides).
bool uses_exec(const Cluster& cluster);

// The credentials to send. For an exec user: the cached plugin output, or a fresh run when there is none
// or it expired. Errors read as client-go's ("exec: executable X not found" with the installHint: NotFound;
// a plugin that fails or prints no valid ExecCredential: Unavailable).
Result<CredentialSnapshot> current_credentials(const Cluster& cluster);

// After a 401 answered a request sent with `generation`: runs the plugin again unless another request
// already did. No-op for static credentials.
Status refresh_credentials(const Cluster& cluster, uint64_t generation);

// Parses a plugin's stdout. `api_version` is the one the kubeconfig configured; errors as client-go's.
Result<Credential> parse_exec_credential(const std::string& out, const std::string& api_version);

// The KUBERNETES_EXEC_INFO value for a run of `cluster`'s plugin.
std::string exec_info_json(const Cluster& cluster, bool interactive);

// The error for a 401: the server refused `cluster`'s credentials, naming the user, context and
// kubeconfig so the user knows which credentials to renew. InvalidInput (exit 2): the plane answered, the
// credentials the user gave are at fault, and running again will not help.
Status credentials_rejected(const Cluster& cluster);

// The error for a 403 on a request every authenticated user may make (discovery, /version): the
// kubeconfig's as:/--as asks for an identity its user may not impersonate (the server's `message` says
// "cannot impersonate"), or the user lacks the system:discovery ClusterRole. InvalidInput (exit 2), as
// credentials_rejected. `url` names what was asked.
Status credentials_forbidden(const Cluster& cluster, const std::string& url, const std::string& message);

// A hex SHA-256 naming who `cluster`'s requests act as (server, credentials or exec plugin, impersonation),
// for caches that must not be shared between identities. Holds no secret in a recoverable form.
std::string identity_key(const Cluster& cluster);

// Fails (InvalidInput) when a token has characters that cannot go into a header (a multi-line tokenFile).
Status check_token(const std::string& token, const std::string& where);

}  // namespace kv::kube
