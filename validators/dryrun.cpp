#include "validators/dryrun.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/core.h>

#include "core/json.h"
#include "core/yaml_util.h"
#include "kube/api_status.h"
#include "kube/discovery.h"
#include "resources/loader.h"
#include "validators/patch_errors.h"
#include "validators/redact.h"
#include "validators/requests.h"

namespace kv {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxServerFailuresInARow = 3;


// What a CustomResourceDefinition in the input will serve once applied.
std::vector<kube::ApiResource> served_by_crd(const Resource& crd) {
  std::vector<kube::ApiResource> out;
  const YAML::Node tree = object_tree(crd);
  const YAML::Node spec = tree["spec"];
  if (!spec || !spec.IsMap()) return out;
  for (const auto& v : spec["versions"]) {
    if (scalar_at(v, "served") == "false") continue;
    kube::ApiResource r;
    r.group = scalar_at(spec, "group");
    r.version = scalar_at(v, "name");
    r.kind = scalar_at(spec["names"], "kind");
    r.resource = scalar_at(spec["names"], "plural");
    r.namespaced = scalar_at(spec, "scope") != "Cluster";
    r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    out.push_back(std::move(r));
  }
  return out;
}

// A plain YAML scalar the server reads as a number, boolean or null (YAML 1.1 rules, as kubectl's
// parser): not a string.
bool reads_as_non_string(const YAML::Node& v) {
  if (!v.IsScalar()) return true;
  if (v.Tag() == "!") return false;  // quoted
  std::string s = v.Scalar();
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> kWords = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""};
  if (kWords.count(s)) return true;
  bool digits = !s.empty();
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' && c != 'e') digits = false;
  return digits;
}

// Secret values that are not strings make the server fail with an internal error that it logs with
// the value in it. Such Secrets are judged here and never sent: their values stay out of every log.
std::vector<std::pair<std::string, std::string>> secret_type_errors(const Resource& r) {
  std::vector<std::pair<std::string, std::string>> out;  // (path, message)
  if (r.kind != "Secret" || !r.group().empty()) return out;
  const YAML::Node tree = object_tree(r);
  for (const char* field : {"data", "stringData"}) {
    const YAML::Node m = tree[field];
    if (!m || m.IsNull()) continue;
    if (!m.IsMap()) {
      out.push_back({field, std::string(field) + ": must be a map of strings (not sent to the server, which "
                                                  "would log the value)"});
      continue;
    }
    for (const auto& kvp : m)
      if (reads_as_non_string(kvp.second))
        out.push_back({std::string(field) + "[" + kvp.first.Scalar() + "]",
                       std::string(field) + "[" + kvp.first.Scalar() +
                           "]: must be a string; quote it (not sent to the server, which would log the value)"});
  }
  return out;
}

bool is_crd(const Resource& r) {
  return r.kind == "CustomResourceDefinition" && r.group() == "apiextensions.k8s.io";
}
bool is_namespace(const Resource& r) { return r.kind == "Namespace" && r.api_version == "v1"; }

// When a message says `Invalid value: "V"` about a map (labels, annotations, selectors), the path of
// the map entry whose value (or key) is V, so the finding points at that line; else `path` unchanged.
std::string refine_to_entry(const Resource& r, const std::string& path, const std::string& message) {
  static const std::string kMarker = "Invalid value: \"";
  auto p = message.find(kMarker);
  if (p == std::string::npos || path.find('[') != std::string::npos) return path;
  p += kMarker.size();
  auto end = message.find('"', p);
  if (end == std::string::npos) return path;
  std::string value = message.substr(p, end - p);
  YAML::Node node;
  node.reset(object_tree(r));  // yaml-cpp nodes are references: reset() re-points, = would overwrite
  std::string segment;
  std::istringstream parts(path);
  while (std::getline(parts, segment, '.')) {
    const YAML::Node& current = node;  // const access never inserts
    if (!current.IsMap() || !current[segment]) return path;
    node.reset(current[segment]);
  }
  if (!node.IsMap()) return path;
  for (const auto& kvp : node)
    if ((kvp.second.IsScalar() && kvp.second.Scalar() == value) || kvp.first.Scalar() == value)
      return path + "[" + kvp.first.Scalar() + "]";
  return path;
}

ObjectResult blank_result(const Resource& r, const DryRunOptions& opts) {
  ObjectResult res;
  res.kind_of_result = ResultKind::kObject;
  res.suite = opts.suite.empty() ? r.source.file : opts.suite;
  res.source = r.source;
  res.api_version = r.api_version;
  res.kind = r.kind;
  res.namespace_ = r.namespace_;
  res.name = r.name.empty() ? r.generate_name : r.name;
  return res;
}

void add_finding(ObjectResult& res, const Resource& r, const DryRunOptions& opts, Severity sev, std::string rule,
                 std::string message, std::string path = "") {
  Finding f;
  f.severity = sev;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.path = std::move(path);
  if (opts.locate && !f.path.empty()) {
    std::string where = refine_to_entry(r, f.path, f.message);
    auto [line, col] = opts.locate(r, where);
    f.line = line;
    f.column = col;
  }
  if (f.line == 0) {
    f.line = r.source.line;
    f.column = r.source.column;
  }
  res.findings.push_back(std::move(f));
}

std::string warning_rule(const std::string& text) {
  if (text.find("unknown field") != std::string::npos) return "dry-run/unknown-field";
  if (text.find("duplicate field") != std::string::npos) return "dry-run/duplicate-field";
  if (text.find("deprecated") != std::string::npos || text.find("unavailable in v") != std::string::npos)
    return "dry-run/deprecated-api";
  return "dry-run/warning";
}

// The field path a warning names, e.g. unknown field "spec.foo" → spec.foo.
std::string warning_path(const std::string& text) {
  for (const char* prefix : {"unknown field \"", "duplicate field \""}) {
    auto p = text.find(prefix);
    if (p == std::string::npos) continue;
    p += std::string(prefix).size();
    auto end = text.find('"', p);
    if (end != std::string::npos) return text.substr(p, end - p);
  }
  return "";
}

// Turns the server's answer into findings and a status.
void judge(ObjectResult& res, const Resource& r, const kube::Response& resp, const DryRunOptions& opts,
           const Redactor& redact) {
  bool secret = r.kind == "Secret";
  for (const auto& w : resp.warnings) {
    Severity sev = opts.warnings_as_errors ? Severity::kError : Severity::kWarning;
    add_finding(res, r, opts, sev, warning_rule(w), redact.apply(w, secret), warning_path(w));
  }
  if (resp.success()) {
    res.status = res.has_severity(Severity::kError) ? ObjectStatus::kInvalid : ObjectStatus::kValid;
    return;
  }
  auto st = kube::parse_api_status(resp.body, resp.status);
  if (auto errs = parse_patch_errors(st.raw_message); !errs.empty()) {
    // The object's own schema errors (unknown or mistyped fields), whatever HTTP code carried them.
    res.status = ObjectStatus::kInvalid;
    for (const auto& e : errs)
      add_finding(res, r, opts, Severity::kError, e.rule,
                  redact.apply(e.path.empty() ? e.message : e.path + ": " + e.message, secret), e.path);
    return;
  }
  // 4xx answers judge the object; 5xx and 401/403/429 are about the server or our access, not the object.
  bool judged = resp.status >= 400 && resp.status < 500 && resp.status != 401 && resp.status != 403 &&
                resp.status != 429;
  res.status = judged ? ObjectStatus::kInvalid : ObjectStatus::kError;
  std::string rule_base = judged ? "dry-run/" : "server/";
  if (st.causes.empty()) {
    add_finding(res, r, opts, Severity::kError, rule_base + (st.reason.empty() ? "Error" : st.reason),
                redact.apply(st.message, secret));
    return;
  }
  for (const auto& c : st.causes) {
    std::string msg = c.field.empty() ? c.message : c.field + ": " + c.message;
    add_finding(res, r, opts, Severity::kError, rule_base + (c.reason.empty() ? st.reason : c.reason),
                redact.apply(msg, secret), c.field);
  }
}

// Marks every object not judged yet as an error (the run ended early) and returns the outcome.
void finish_unjudged(DryRunOutcome& out, const std::vector<Resource>& resources,
                               const std::vector<bool>& decided,
                               const std::function<void(size_t, ObjectResult)>& decide, const DryRunOptions& opts) {
  for (size_t i = 0; i < resources.size(); ++i) {
    if (decided[i]) continue;
    ObjectResult res = blank_result(resources[i], opts);
    res.status = ObjectStatus::kError;
    add_finding(res, resources[i], opts, Severity::kError, "server/unavailable",
                "not validated: " + (out.fatal.ok() ? std::string("run ended early") : out.fatal.message()));
    decide(i, std::move(res));
  }
}

// Waits (bounded) until a CustomResourceDefinition reports Established=True.
void wait_established(kube::Client& client, const std::string& name) {
  auto until = Clock::now() + std::chrono::seconds(30);
  kube::Request req;
  req.path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + percent_encode(name);
  while (Clock::now() < until) {
    auto resp = client.send(req);
    if (!resp.transport_ok()) return;
    if (resp.success()) {
      auto doc = parse_json(resp.body, "CustomResourceDefinition");
      if (doc.ok() && (*doc)["status"] && (*doc)["status"].IsMap() && (*doc)["status"]["conditions"])
        for (const auto& c : (*doc)["status"]["conditions"])
          if (scalar_at(c, "type") == "Established" && scalar_at(c, "status") == "True") return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

// Names of the namespaces that exist; empty when they cannot be listed (then nothing is skipped).
std::set<std::string> list_namespaces(kube::Client& client) {
  std::set<std::string> out;
  kube::Request req;
  req.path = "/api/v1/namespaces";
  auto resp = client.send(req);
  if (!resp.success()) return out;
  auto doc = parse_json(resp.body, "namespace list");
  if (!doc.ok()) return out;
  for (const auto& item : (*doc)["items"]) out.insert(scalar_at(item["metadata"], "name"));
  return out;
}

// Creates a namespace for real on an owned plane, labelled as kvalidate's. True when it exists after.
bool create_namespace(kube::Client& client, const std::string& name) {
  kube::Request req;
  req.method = "POST";
  req.path = "/api/v1/namespaces?fieldManager=kvalidate";
  req.content_type = "application/json";
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
  w.key("metadata").begin_object().key("name").value(name);
  w.key("labels").begin_object().key("kvalidate.io/managed").value("true").end_object();
  w.end_object().end_object();
  req.body = w.str();
  auto resp = client.send(req);
  return resp.success() || resp.status == 409;
}

}  // namespace

DryRunOutcome dry_run(kube::Client& client, const std::vector<Resource>& resources, const DryRunOptions& opts,
                      const std::function<void(const ObjectResult&)>& on_result) {
  DryRunOutcome out;
  out.results.resize(resources.size());
  std::vector<bool> decided(resources.size(), false);
  std::function<void(size_t, ObjectResult)> decide = [&](size_t i, ObjectResult res) {
    out.results[i] = std::move(res);
    decided[i] = true;
    if (on_result) on_result(out.results[i]);
  };
  Redactor redact;
  redact.collect(resources);

  auto disc = kube::Discovery::Load(client, opts.discovery_cache_dir);
  if (!disc.ok()) {
    out.fatal = disc.status().Prefixed("cannot read the API server's discovery");
    for (size_t i = 0; i < resources.size(); ++i) {
      ObjectResult res = blank_result(resources[i], opts);
      res.status = ObjectStatus::kError;
      add_finding(res, resources[i], opts, Severity::kError, "server/unavailable",
                  "not validated: " + out.fatal.message());
      decide(i, std::move(res));
    }
    return out;
  }
  out.server_version = disc->server_version();

  // Kinds that CRDs in the input will serve.
  std::map<std::string, kube::ApiResource> from_crds;  // "group/version/Kind"
  for (const auto& r : resources)
    if (is_crd(r))
      for (auto& a : served_by_crd(r)) from_crds[a.group + "/" + a.version + "/" + a.kind] = a;

  // Resolve each object's resource; refresh discovery once if something is unknown (stale cache).
  std::vector<std::optional<kube::ApiResource>> mapping(resources.size());
  auto resolve = [&](const kube::Discovery& d) {
    bool unknown = false;
    for (size_t i = 0; i < resources.size(); ++i) {
      const Resource& r = resources[i];
      if (const auto* a = d.find_kind(r.group(), r.version(), r.kind)) mapping[i] = *a;
      else if (auto it = from_crds.find(r.group() + "/" + r.version() + "/" + r.kind); it != from_crds.end())
        mapping[i] = it->second;
      else unknown = true;
    }
    return unknown;
  };
  const kube::Discovery* discovery = &*disc;
  std::optional<kube::Discovery> refreshed;
  if (resolve(*discovery) && !opts.discovery_cache_dir.empty()) {
    auto fresh = kube::Discovery::Load(client, opts.discovery_cache_dir, true);
    if (fresh.ok()) {
      refreshed = std::move(*fresh);
      discovery = &*refreshed;
      resolve(*discovery);
    }
  }
  for (size_t i = 0; i < resources.size(); ++i) {
    if (mapping[i]) continue;
    const Resource& r = resources[i];
    ObjectResult res = blank_result(r, opts);
    res.status = ObjectStatus::kInvalid;
    std::vector<std::string> served;
    for (const auto& a : discovery->all())
      if (a.kind == r.kind && std::find(served.begin(), served.end(), a.group_version()) == served.end())
        served.push_back(a.group_version());
    if (!served.empty()) {
      std::string list;
      for (const auto& v : served) list += (list.empty() ? "" : ", ") + v;
      add_finding(res, r, opts, Severity::kError, "dry-run/api-not-served",
                  fmt::format("apiVersion {} is not served for {} by this API server ({}); use {}", r.api_version,
                              r.kind, out.server_version, list),
                  "apiVersion");
    } else {
      add_finding(res, r, opts, Severity::kError, "dry-run/unknown-kind",
                  fmt::format("no kind \"{}\" is served for apiVersion \"{}\" by this API server ({})", r.kind,
                              r.api_version, out.server_version),
                  "kind");
    }
    decide(i, std::move(res));
  }

  for (size_t i = 0; i < resources.size(); ++i) {
    if (decided[i]) continue;
    auto errs = secret_type_errors(resources[i]);
    if (errs.empty()) continue;
    ObjectResult res = blank_result(resources[i], opts);
    res.status = ObjectStatus::kInvalid;
    for (auto& [path, msg] : errs) add_finding(res, resources[i], opts, Severity::kError, "dry-run/wrong-type", msg, path);
    decide(i, std::move(res));
  }

  // Namespace of each resolved object (namespaced kinds default to opts.default_namespace).
  std::vector<std::string> ns_of(resources.size());
  for (size_t i = 0; i < resources.size(); ++i)
    if (mapping[i] && mapping[i]->namespaced)
      ns_of[i] = resources[i].namespace_.empty() ? opts.default_namespace : resources[i].namespace_;

  auto send_and_judge = [&](const std::vector<size_t>& which, bool dry) {
    std::vector<kube::Request> reqs;
    for (size_t i : which) {
      const Resource& r = resources[i];
      bool create = r.name.empty() || std::find(mapping[i]->verbs.begin(), mapping[i]->verbs.end(), "patch") ==
                                          mapping[i]->verbs.end();
      reqs.push_back(create ? create_request(*mapping[i], ns_of[i], r.body, opts.field_manager, dry)
                            : apply_request(*mapping[i], ns_of[i], r.name, r.body, opts.field_manager, dry));
    }
    std::vector<Clock::time_point> started(which.size(), Clock::now());
    int failures_in_a_row = 0;  // server errors (5xx) that judge no object: the plane is failing
    client.send_all(reqs, opts.jobs, [&](size_t k, const kube::Response& resp) {
      size_t i = which[k];
      const Resource& r = resources[i];
      ObjectResult res = blank_result(r, opts);
      if (res.namespace_.empty()) res.namespace_ = ns_of[i];
      res.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started[k]).count();
      if (!resp.transport_ok()) {
        if (out.fatal.ok())
          out.fatal = Status::Unavailable(fmt::format("lost the control plane at {}: {}", client.cluster().server,
                                                      resp.transport_error));
        res.status = ObjectStatus::kError;
        add_finding(res, r, opts, Severity::kError, "server/unavailable",
                    "not validated: the API server did not answer: " + resp.transport_error);
      } else {
        judge(res, r, resp, opts, redact);
      }
      // A server that answers but cannot work (its etcd gone) fails every request slowly: stop early
      // rather than wait out each one.
      bool server_failure = resp.transport_ok() && resp.status >= 500 && res.status == ObjectStatus::kError;
      failures_in_a_row = server_failure ? failures_in_a_row + 1 : 0;
      if (failures_in_a_row >= kMaxServerFailuresInARow && out.fatal.ok())
        out.fatal = Status::Unavailable(fmt::format(
            "the API server at {} failed {} requests in a row (last: {}); its storage may be down "
            "(kvalidate logs --component etcd)",
            client.cluster().server, failures_in_a_row,
            res.findings.empty() ? std::to_string(resp.status) : res.findings.back().message));
      decide(i, std::move(res));
      if (!out.fatal.ok()) client.cancel();
    });
  };
  auto skip = [&](size_t i, const std::string& why) {
    ObjectResult res = blank_result(resources[i], opts);
    if (res.namespace_.empty()) res.namespace_ = ns_of[i];
    res.status = ObjectStatus::kSkipped;
    add_finding(res, resources[i], opts, Severity::kInfo, "skipped", why);
    decide(i, std::move(res));
  };

  // Phase 1: CRDs. On an owned plane they are applied for real and awaited; elsewhere dry-run.
  std::vector<size_t> crds;
  for (size_t i = 0; i < resources.size(); ++i)
    if (!decided[i] && is_crd(resources[i])) crds.push_back(i);
  send_and_judge(crds, !opts.owned_plane);
  if (!out.fatal.ok()) { finish_unjudged(out, resources, decided, decide, opts); return out; }
  std::set<std::string> crd_failed;  // "group/Kind" whose CRD did not apply
  for (size_t i : crds) {
    if (out.results[i].status == ObjectStatus::kValid || out.results[i].status == ObjectStatus::kInvalid) {
      if (out.results[i].status == ObjectStatus::kValid && opts.owned_plane)
        wait_established(client, resources[i].name);
      if (out.results[i].status == ObjectStatus::kInvalid)
        for (const auto& a : served_by_crd(resources[i])) crd_failed.insert(a.group + "/" + a.kind);
    }
  }
  // Custom resources whose CRD is neither served already nor applicable.
  for (size_t i = 0; i < resources.size(); ++i) {
    if (decided[i]) continue;
    const Resource& r = resources[i];
    bool served = discovery->find_kind(r.group(), r.version(), r.kind) != nullptr;
    if (served) continue;
    if (crd_failed.count(r.group() + "/" + r.kind))
      skip(i, fmt::format("not validated: the CustomResourceDefinition for {} in this input is invalid", r.kind));
    else if (!opts.owned_plane)
      skip(i, fmt::format("not validated: the cluster does not serve {} {} (its CustomResourceDefinition is in the "
                          "input but not installed there; kvalidate changes nothing on an existing cluster)",
                          r.api_version, r.kind));
  }

  // Phase 2: namespaces.
  std::set<std::string> existing = list_namespaces(client);
  std::vector<size_t> namespaces;
  for (size_t i = 0; i < resources.size(); ++i)
    if (!decided[i] && is_namespace(resources[i])) namespaces.push_back(i);
  if (opts.owned_plane) {
    send_and_judge(namespaces, false);
    for (size_t i : namespaces)
      if (out.results[i].status == ObjectStatus::kValid) existing.insert(resources[i].name);
    std::set<std::string> wanted;
    for (size_t i = 0; i < resources.size(); ++i)
      if (!decided[i] && !ns_of[i].empty() && !existing.count(ns_of[i])) wanted.insert(ns_of[i]);
    for (const auto& ns : wanted) {
      if (create_namespace(client, ns)) {
        existing.insert(ns);
        out.created_namespaces.push_back(ns);
      }
    }
  } else {
    send_and_judge(namespaces, true);
  }
  if (!out.fatal.ok()) { finish_unjudged(out, resources, decided, decide, opts); return out; }
  std::set<std::string> defined_here;
  for (size_t i : namespaces) defined_here.insert(resources[i].name);
  for (size_t i = 0; i < resources.size(); ++i) {
    if (decided[i] || ns_of[i].empty() || existing.empty() || existing.count(ns_of[i])) continue;
    skip(i, opts.owned_plane
                ? fmt::format("not validated: namespace \"{}\" could not be created", ns_of[i])
                : fmt::format("not validated: namespace \"{}\" does not exist on the cluster{} (kvalidate changes "
                              "nothing on an existing cluster)",
                              ns_of[i], defined_here.count(ns_of[i]) ? " (it is defined in the input)" : ""));
  }

  // Phase 3: everything else, dry-run, many in flight.
  std::vector<size_t> rest;
  for (size_t i = 0; i < resources.size(); ++i)
    if (!decided[i]) rest.push_back(i);
  send_and_judge(rest, true);
  { finish_unjudged(out, resources, decided, decide, opts); return out; }
}

}  // namespace kv
