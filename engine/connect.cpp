#include "engine/connect.h"

#include <algorithm>

namespace kv::engine {

std::string Connection::cluster_name() const {
  return plane.cluster.context.empty() ? plane.cluster.server : plane.cluster.context;
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Status check_namespace_name(const std::string& ns) {
  if (ns.empty() || is_dns_label(ns)) return Status::Ok();
  return Status::Usage("-n/--namespace \"" + ns +
                       "\" is not a valid namespace name (lower-case letters, digits and '-', at most 63, "
                       "starting and ending with a letter or digit)");
}

Result<Connection> connect(const ConnectOptions& opts) {
  KV_RETURN_IF_ERROR(check_namespace_name(opts.namespace_));
  auto plane = controlplane::ensure_plane(opts.ensure);
  if (!plane.ok()) return plane.status();
  auto client = kube::Client::Create(plane->cluster);
  if (!client.ok()) return client.status();
  auto disc = kube::Discovery::Load(**client, opts.discovery_cache_dir);
  if (!disc.ok()) return disc.status().Prefixed("cannot read the API server's discovery");
  // A --kube-version plane has its own state dir (and locks) under the default one.
  std::string dir = plane->dir.empty() ? controlplane::state_dir(opts.ensure.home) : plane->dir;
  Connection c{std::move(*plane), std::move(*client), std::move(*disc), false, "", opts.discovery_cache_dir, dir};
  c.default_namespace = !opts.namespace_.empty()                    ? opts.namespace_
                        : !c.plane.cluster.default_namespace.empty() ? c.plane.cluster.default_namespace
                                                                     : "default";
  return c;
}

Status refresh_discovery(Connection& c) {
  auto fresh = kube::Discovery::Load(*c.client, c.discovery_cache_dir, true);
  if (!fresh.ok()) return fresh.status();
  c.discovery = std::move(*fresh);
  c.discovery_refreshed = true;
  return Status::Ok();
}

}  // namespace kv::engine
