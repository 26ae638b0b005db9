// Connecting a run to its cluster, once: the -n check, the ensure step (an external cluster the user
// named, or the plane kvalidate owns, started when needed), one client and one discovery for the whole
// run, and the namespace objects without one go to. Every cluster-needing command goes through here.
#pragma once

#include <memory>
#include <string>

#include "controlplane/ensure.h"
#include "core/status.h"
#include "engine/plan.h"
#include "kube/client.h"
#include "kube/discovery.h"

namespace kv::engine {

struct ConnectOptions {
  controlplane::EnsureOptions ensure;
  std::string namespace_;           // -n; "" = the context's namespace, else "default"
  std::string discovery_cache_dir;  // "" = no disk cache for discovery
};

struct Connection {
  controlplane::Plane plane;
  std::unique_ptr<kube::Client> client;
  kube::Discovery discovery;        // loaded once (from the disk cache when there), refreshed on demand
  bool discovery_refreshed = false; // refresh_discovery() ran
  std::string default_namespace;    // -n, else the context's namespace, else "default"
  std::string discovery_cache_dir;
  std::string state_dir;            // the owned plane's state dir (locks)

  PlaneKind plane_kind() const { return plane.owned ? PlaneKind::kOwned : PlaneKind::kExternal; }
  // The context's name, else the server URL (for "checked against ..." notes).
  std::string cluster_name() const;
};

// True for a valid DNS-1123 label (what a namespace name must be).
bool is_dns_label(const std::string& s);

// Usage error (exit 2) when `ns` is given and is not a valid namespace name.
Status check_namespace_name(const std::string& ns);

// Checks -n, ensures the plane, creates the client, reads discovery. Errors: Usage for a bad -n,
// InvalidInput for a bad kubeconfig/context, Unavailable (exit 3) when the plane cannot be had or does
// not answer discovery.
Result<Connection> connect(const ConnectOptions& opts);

// Reads discovery from the server again, bypassing the cache (a CRD may have been added since it was
// cached), and makes it the connection's.
Status refresh_discovery(Connection& c);

}  // namespace kv::engine
