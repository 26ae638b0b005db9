// evaluate_expectations (declared in rbac_expectations.h): the apply → review → delete cycle on an owned
// plane, and review-only on an external cluster.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/core.h>

#include "core/json.h"
#include "resources/loader.h"
#include "validators/access_review.h"
#include "validators/rbac_expectations.h"

namespace kv {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kEvalLabel = "kvalidate.io/rbac-eval";
constexpr const char* kRbacApi = "/apis/rbac.authorization.k8s.io/v1";
constexpr const char* kSyncName = "kvalidate-rbac-sync";
constexpr const char* kSyncUser = "kvalidate:rbac-sync";
constexpr const char* kSyncNamespace = "default";

// An exclusive flock held for the object's lifetime.
class FileLock {
 public:
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // closing releases the lock
  }
  Status acquire(const std::string& path, std::chrono::milliseconds timeout) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    fd_ = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ >= 0) fchmod(fd_, 0600);  // an older kvalidate made it 0644
    if (fd_ < 0) return Status::Unavailable("cannot open the RBAC lock file " + path);
    auto deadline = Clock::now() + timeout;
    while (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (Clock::now() > deadline)
        return Status::Unavailable("another kvalidate run held the RBAC lock " + path + " for too long");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

struct Kind {
  const char* kind;
  const char* api;     // path prefix
  const char* plural;
  bool namespaced;
};
const Kind kKinds[] = {
    {"ServiceAccount", "/api/v1", "serviceaccounts", true},
    {"Role", kRbacApi, "roles", true},
    {"ClusterRole", kRbacApi, "clusterroles", false},
    {"RoleBinding", kRbacApi, "rolebindings", true},
    {"ClusterRoleBinding", kRbacApi, "clusterrolebindings", false},
};

const Kind* kind_of(const Resource& r) {
  for (const auto& k : kKinds) {
    bool api_ok = std::string(k.api) == "/api/v1" ? r.api_version == "v1" : r.group() == "rbac.authorization.k8s.io";
    if (api_ok && r.kind == k.kind) return &k;
  }
  return nullptr;
}

std::string object_path(const Kind& k, const std::string& ns, const std::string& name) {
  if (k.namespaced) return fmt::format("{}/namespaces/{}/{}/{}", k.api, ns, k.plural, name);
  return fmt::format("{}/{}/{}", k.api, k.plural, name);
}

std::string http_error(const kube::Response& r) {
  if (!r.transport_ok()) return r.transport_error;
  auto doc = parse_json(r.body, "API response");
  std::string msg = doc.ok() && doc->IsMap() && (*doc)["message"] ? (*doc)["message"].as<std::string>("") : "";
  return fmt::format("HTTP {}{}{}", r.status, msg.empty() ? "" : ": ", msg);
}

YAML::Node str(const std::string& s) {
  YAML::Node n(s);
  n.SetTag("!");  // a string even when it looks like a bool or number
  return n;
}

// One object to apply: where it goes and the JSON to send.
struct Planned {
  const Kind* kind;
  std::string ns, name, display, body;
};

Planned plan(const Resource& r, const YAML::Node& tree, const Kind& k, const std::string& default_ns) {
  Planned p{&k, k.namespaced ? (r.namespace_.empty() ? default_ns : r.namespace_) : "", r.name, "", ""};
  p.display = std::string(k.kind) + "/" + (p.ns.empty() ? "" : p.ns + "/") + p.name;
  YAML::Node o = YAML::Clone(tree);
  o.remove("status");
  YAML::Node meta = o["metadata"];
  for (const char* f : {"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink"})
    meta.remove(f);
  if (k.namespaced) meta["namespace"] = str(p.ns);
  meta["labels"][kEvalLabel] = str("true");
  meta["labels"]["kvalidate.io/managed"] = str("true");
  JsonWriter w(false);
  w.node(o);
  p.body = w.str();
  return p;
}

std::string sync_role_body(const char* kind, const std::string& resource) {
  return fmt::format(
      R"({{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"{}","metadata":{{"name":"{}",{}"labels":{{"{}":"true"}}}},)"
      R"("rules":[{{"apiGroups":["kvalidate.io"],"resources":["{}"],"verbs":["get"]}}]}})",
      kind, kSyncName, std::string(kind) == "Role" ? fmt::format(R"("namespace":"{}",)", kSyncNamespace) : "",
      kEvalLabel, resource);
}
std::string sync_binding_body(const char* kind, const char* role_kind) {
  return fmt::format(
      R"({{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"{}","metadata":{{"name":"{}",{}"labels":{{"{}":"true"}}}},)"
      R"("roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"{}","name":"{}"}},)"
      R"("subjects":[{{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"{}"}}]}})",
      kind, kSyncName, std::string(kind) == "RoleBinding" ? fmt::format(R"("namespace":"{}",)", kSyncNamespace) : "",
      kEvalLabel, role_kind, kSyncName, kSyncUser);
}

kube::Request simple_request(const char* method, std::string path) {
  kube::Request q;
  q.method = method;
  q.path = std::move(path);
  return q;
}

kube::Request apply_request(const std::string& path, std::string body) {
  kube::Request q;
  q.method = "PATCH";
  q.path = path + "?fieldManager=kvalidate-rbac&force=true";
  q.body = std::move(body);
  q.content_type = "application/apply-patch+yaml";
  return q;
}

// Deletes every object of the five kinds that carries kvalidate's RBAC label: the objects of this run,
// and leftovers of a run that died before its cleanup.
Status sweep(kube::Transport& client, int jobs) {
  std::vector<kube::Request> lists;
  for (const auto& k : kKinds)
    lists.push_back(simple_request("GET", fmt::format("{}/{}?labelSelector={}%3Dtrue", k.api, k.plural, kEvalLabel)));
  auto answers = client.send_all(lists, jobs);
  std::vector<kube::Request> deletes;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].transport_ok()) return Status::Unavailable("listing RBAC objects: " + answers[i].transport_error);
    if (!answers[i].success()) return Status::Internal("listing RBAC objects: " + http_error(answers[i]));
    auto doc = parse_json(answers[i].body, "API response");
    if (!doc.ok()) return doc.status();
    for (const auto& item : (*doc)["items"]) {
      auto meta = item["metadata"];
      std::string ns = meta["namespace"] ? meta["namespace"].as<std::string>("") : "";
      deletes.push_back(simple_request("DELETE", object_path(kKinds[i], ns, meta["name"].as<std::string>(""))));
    }
  }
  for (const auto& r : client.send_all(deletes, jobs)) {
    if (!r.transport_ok()) return Status::Unavailable("deleting RBAC objects: " + r.transport_error);
    if (!r.success() && r.status != 404) return Status::Internal("deleting RBAC objects: " + http_error(r));
  }
  return Status::Ok();
}

// Waits until the authorizer's caches hold the sentinel Role/RoleBinding and ClusterRole/
// ClusterRoleBinding, written after everything else: each RBAC informer then holds this run's objects.
Status wait_for_sync(kube::Transport& client, const std::string& nonce, std::chrono::milliseconds timeout) {
  AccessQuery cluster_q{kSyncUser, {}, "get", "kvalidate.io", "csync-" + nonce, "", "", "", ""};
  AccessQuery ns_q{kSyncUser, {}, "get", "kvalidate.io", "rsync-" + nonce, "", "", kSyncNamespace, ""};
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto answers = review_access_all(client, {cluster_q, ns_q}, 2);
    bool all = true;
    for (auto& a : answers) {
      if (!a.ok()) return a.status();
      all = all && a->allowed;
    }
    if (all) return Status::Ok();
    if (Clock::now() > deadline)
      return Status::Unavailable("the API server's authorizer did not see the applied RBAC objects in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Applies the input's RBAC objects and the sync sentinels; `notes` collects what was not applied.
Status apply_input(kube::Transport& client, const std::vector<Resource>& input, const EvalOptions& opts,
                   std::vector<std::string>& notes) {
  std::vector<Planned> planned;
  std::set<std::string> namespaces;
  for (const auto& r : input) {
    const Kind* k = kind_of(r);
    if (!k) continue;
    if (r.name.empty()) { notes.push_back(r.display_id() + " has no name and was not applied"); continue; }
    YAML::Node tree = object_tree(r);
    if (!tree.IsMap() || !tree["metadata"].IsMap()) continue;  // the dry-run reports it
    try {
      planned.push_back(plan(r, tree, *k, opts.default_namespace));
    } catch (const YAML::Exception& e) {
      notes.push_back(r.display_id() + " was not applied: " + e.msg);
      continue;
    }
    if (k->namespaced) namespaces.insert(planned.back().ns);
  }
  std::vector<kube::Request> reqs;
  for (const auto& ns : namespaces) {
    kube::Request q = simple_request("POST", "/api/v1/namespaces");
    q.body = fmt::format(
        R"({{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":{},"labels":{{"kvalidate.io/managed":"true"}}}}}})",
        json_quote(ns));
    q.content_type = "application/json";
    reqs.push_back(std::move(q));
  }
  for (const auto& r : client.send_all(reqs, opts.jobs)) {
    if (!r.transport_ok()) return Status::Unavailable("creating namespaces: " + r.transport_error);
    if (!r.success() && r.status != 409) notes.push_back("could not create a namespace: " + http_error(r));
  }
  // Objects that exist already are not kvalidate's (the sweep removed those): use them as they are.
  reqs.clear();
  for (const auto& p : planned) reqs.push_back(simple_request("GET", object_path(*p.kind, p.ns, p.name)));
  auto existing = client.send_all(reqs, opts.jobs);
  reqs.clear();
  std::vector<const Planned*> applied;
  for (size_t i = 0; i < planned.size(); ++i) {
    if (!existing[i].transport_ok()) return Status::Unavailable("reading RBAC objects: " + existing[i].transport_error);
    if (existing[i].status == 200) {
      notes.push_back(planned[i].display + " already exists on the plane; it was used as it is, not replaced");
      continue;
    }
    reqs.push_back(apply_request(object_path(*planned[i].kind, planned[i].ns, planned[i].name), planned[i].body));
    applied.push_back(&planned[i]);
  }
  auto answers = client.send_all(reqs, opts.jobs);
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].transport_ok()) return Status::Unavailable("applying RBAC objects: " + answers[i].transport_error);
    if (!answers[i].success()) notes.push_back("could not apply " + applied[i]->display + ": " + http_error(answers[i]));
  }
  return Status::Ok();
}

Status apply_sentinels(kube::Transport& client, const std::string& nonce, int jobs) {
  std::string rb = std::string(kRbacApi) + "/namespaces/" + kSyncNamespace;
  std::vector<kube::Request> reqs = {
      apply_request(fmt::format("{}/clusterroles/{}", kRbacApi, kSyncName), sync_role_body("ClusterRole", "csync-" + nonce)),
      apply_request(fmt::format("{}/roles/{}", rb, kSyncName), sync_role_body("Role", "rsync-" + nonce)),
  };
  std::vector<kube::Request> bindings = {
      apply_request(fmt::format("{}/clusterrolebindings/{}", kRbacApi, kSyncName),
                    sync_binding_body("ClusterRoleBinding", "ClusterRole")),
      apply_request(fmt::format("{}/rolebindings/{}", rb, kSyncName), sync_binding_body("RoleBinding", "Role")),
  };
  for (const auto* batch : {&reqs, &bindings})
    for (const auto& r : client.send_all(*batch, jobs)) {
      if (!r.transport_ok()) return Status::Unavailable("applying RBAC sync objects: " + r.transport_error);
      if (!r.success()) return Status::Internal("applying RBAC sync objects: " + http_error(r));
    }
  return Status::Ok();
}

ObjectResult judge(const Expectation& e, const Result<AccessAnswer>& a, const EvalOptions& opts,
                   const std::vector<std::string>& notes) {
  ObjectResult r;
  r.kind_of_result = ResultKind::kRbacExpectation;
  r.suite = opts.suite;
  r.source.file = e.file;
  r.source.line = e.line;
  r.source.column = e.column;
  r.namespace_ = e.namespace_ == "*" ? "" : e.namespace_;
  r.title = expectation_title(e);
  Finding f;
  f.rule = "rbac-expectation";
  f.file = e.file;
  f.line = e.line;
  f.column = e.column;
  std::string expected = e.allow ? "allow" : "deny";
  std::string tail;
  if (!opts.owned_plane)
    tail = fmt::format(" (checked against the RBAC that {} holds; the input's RBAC objects were not applied)",
                       opts.cluster_name.empty() ? "the existing cluster" : opts.cluster_name);
  for (const auto& n : notes) tail += "; note: " + n;
  if (!a.ok()) {
    r.status = ObjectStatus::kError;
    f.message = fmt::format("{}: review failed: {}", r.title, a.status().message());
  } else {
    std::string got = a->allowed ? "allow" : "deny";
    std::string why = a->reason;
    if (!a->evaluation_error.empty()) why += (why.empty() ? "" : "; ") + a->evaluation_error;
    if (got == expected) {
      r.status = ObjectStatus::kValid;
      if (tail.empty()) return r;
      f.severity = Severity::kInfo;
      f.message = fmt::format("{}: {} as expected{}", r.title, got, tail);
    } else {
      r.status = ObjectStatus::kInvalid;
      f.message = fmt::format("{}: expected {}, got {}{}{}", r.title, expected, got,
                              why.empty() ? "" : " (" + why + ")", tail);
    }
  }
  r.findings.push_back(std::move(f));
  return r;
}

AccessQuery query_of(const Expectation& e) {
  AccessQuery q;
  q.user = e.user;
  q.groups = impersonation_groups(e.user, e.groups);
  q.verb = e.verb;
  q.group = e.group;
  q.resource = e.resource;
  q.subresource = e.subresource;
  q.name = e.name;
  q.namespace_ = e.namespace_ == "*" ? "" : e.namespace_;
  return q;
}

}  // namespace

EvalOutcome evaluate_expectations(kube::Transport& client, const std::vector<Resource>& input,
                                  const std::vector<Expectation>& exps, const EvalOptions& opts) {
  EvalOutcome out;
  if (exps.empty()) return out;
  std::vector<std::string> notes;
  FileLock lock;
  std::string nonce;
  if (opts.owned_plane) {
    if (opts.state_dir.empty()) {
      out.fatal = Status::Internal("RBAC evaluation on an owned plane needs the plane's state dir");
      return out;
    }
    out.fatal = lock.acquire((std::filesystem::path(opts.state_dir) / "rbac.lock").string(), opts.lock_timeout);
    if (!out.fatal.ok()) return out;
    nonce = fmt::format("{}-{}", getpid(), Clock::now().time_since_epoch().count());
    out.fatal = sweep(client, opts.jobs);
    if (out.fatal.ok()) out.fatal = apply_input(client, input, opts, notes);
    if (out.fatal.ok()) out.fatal = apply_sentinels(client, nonce, opts.jobs);
    if (out.fatal.ok()) out.fatal = wait_for_sync(client, nonce, opts.sync_timeout);
  }
  if (out.fatal.ok()) {
    std::vector<AccessQuery> qs;
    for (const auto& e : exps) qs.push_back(query_of(e));
    auto answers = review_access_all(client, qs, opts.jobs);
    for (size_t i = 0; i < exps.size(); ++i) {
      if (!answers[i].ok() && answers[i].status().code() == Status::Code::kUnavailable) out.fatal = answers[i].status();
      out.results.push_back(judge(exps[i], answers[i], opts, notes));
    }
  }
  if (opts.owned_plane) {
    Status cleaned = sweep(client, opts.jobs);
    if (out.fatal.ok() && !cleaned.ok()) out.fatal = cleaned.Prefixed("removing the applied RBAC objects");
  }
  return out;
}

}  // namespace kv
