// Building API requests: URL paths for a resource (percent-encoded), server-side apply, create, update
// and get.
#pragma once

#include <string>

#include "kube/client.h"
#include "kube/discovery.h"

namespace kv::kube {

// "/apis/apps/v1/namespaces/demo/deployments" (collection) for namespace "demo"; namespace ignored for
// cluster-scoped resources. Names and namespaces are percent-encoded.
std::string collection_path(const ApiResource& a, const std::string& ns);
std::string object_path(const ApiResource& a, const std::string& ns, const std::string& name);

// Every object of `a` in all namespaces: "/apis/rbac.authorization.k8s.io/v1/roles".
std::string all_namespaces_path(const ApiResource& a);

// A request without a body: GET, DELETE.
Request plain_request(const std::string& method, std::string path);

// Server-side apply of `body` (YAML or JSON), forced; dry_run adds dryRun=All, strict
// fieldValidation=Strict (unknown or duplicate fields fail the request).
Request apply_request(const ApiResource& a, const std::string& ns, const std::string& name,
                      const std::string& body, const std::string& field_manager, bool dry_run, bool strict = true);
// Create (POST) of `body`; used for generateName-only objects and resources without patch.
Request create_request(const ApiResource& a, const std::string& ns, const std::string& body,
                       const std::string& field_manager, bool dry_run);
// Update (PUT) of `body` to the object `name`, unconditional (no resourceVersion): what kubectl apply
// sends for an object that exists when server-side apply is not allowed (engine/submit.h).
Request update_request(const ApiResource& a, const std::string& ns, const std::string& name,
                       const std::string& body, const std::string& field_manager, bool dry_run);
// GET of the object `name`.
Request get_request(const ApiResource& a, const std::string& ns, const std::string& name);

// Creates namespace `name` for real, labelled kvalidate.io/managed=true (kvalidate's, to be swept) and,
// given a run id, kvalidate.io/run=<id> (removed when that run's batch is judged: engine/run_scope.h).
Request managed_namespace_request(const std::string& name, const std::string& field_manager,
                                  const std::string& run_id = "");

std::string percent_encode(const std::string& s);

}  // namespace kv::kube
