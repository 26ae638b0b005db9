// --crds-from-cluster: the CustomResourceDefinitions of a cluster the user names (read only: one GET of
// the list), copied so that the run can apply them on kvalidate's own plane. Cached per cluster.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/cluster.h"
#include "kube/transport.h"
#include "resources/resource.h"

namespace kv::engine {

// How long a cluster's copied CRDs are reused before they are read again.
inline constexpr std::chrono::minutes kClusterCrdsFresh{10};

// The CRDs in a CustomResourceDefinitionList (JSON), each made fit for another plane: only apiVersion,
// kind, metadata.name, labels and spec are kept (no status, uid, resourceVersion, managedFields,
// annotations), and a webhook conversion (whose service lives in that cluster) becomes strategy None.
// `source` names where they came from (Resource source.file). InvalidInput when the text is not such a list.
Result<std::vector<Resource>> crds_from_list(const std::string& list_json, const std::string& source);

// A key naming the cluster behind `transport`: a hash of its server URL and its kube-system namespace's
// uid (when it may be read), so that two clusters behind one address are told apart.
std::string cluster_identity(kube::Transport& transport);

// The CRDs of the cluster behind `transport`: from `cache_dir`/cluster-crds/<identity>.json when that was
// written less than kClusterCrdsFresh ago, else listed (GET only) and cached (file mode 0600). `cache_dir`
// "" = no cache. Unavailable when the cluster cannot be reached or refuses the list (naming it and the
// HTTP status).
Result<std::vector<Resource>> cluster_crds(kube::Transport& transport, const std::string& cache_dir);

}  // namespace kv::engine
