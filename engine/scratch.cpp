#include "engine/scratch.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <random>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "core/json.h"
#include "core/process.h"
#include "core/yaml_util.h"
#include "kube/requests.h"

namespace kv::engine {

namespace fs = std::filesystem;

namespace {

std::string runs_dir(const std::string& state_dir) { return state_dir + "/upgrade-runs"; }

bool alive(const ScratchRecord& r) {
  auto start = pid_start_time(r.pid);
  return start && *start == r.start_time;
}

kube::Request request(const std::string& method, const std::string& path, const std::string& body = "",
                      const std::string& type = "") {
  kube::Request q;
  q.method = method;
  q.path = path;
  q.body = body;
  q.content_type = type;
  return q;
}

// Sends `reqs`; the first answer that is neither a success nor 404 (or `also_ok`), as a failure.
Status send_checked(kube::Transport& t, const std::vector<kube::Request>& reqs, int jobs, const std::string& what,
                    long also_ok = 0) {
  Status first;
  auto answers = t.send_all(reqs, jobs);
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i];
    if (a.success() || a.status == 404 || (also_ok && a.status == also_ok) || !first.ok()) continue;
    first = a.transport_ok()
                ? Status::Unavailable(fmt::format("{} {}: HTTP {}: {}", what, reqs[i].path, a.status, a.body.substr(0, 200)))
                : Status::Unavailable(fmt::format("{} {}: {}", what, reqs[i].path, a.transport_error));
  }
  return first;
}

}  // namespace

std::string scratch_json(const ScratchRecord& r) {
  JsonWriter w;
  w.begin_object();
  w.key("id").value(r.id);
  w.key("pid").value(static_cast<int64_t>(r.pid));
  w.key("startTime").value(static_cast<int64_t>(r.start_time));
  w.key("fullPlane").value(r.full_plane);
  w.key("namespaces").begin_array();
  for (const auto& n : r.namespaces) w.value(n);
  w.end_array();
  w.key("objects").begin_array();
  for (const auto& o : r.objects) w.value(o);
  w.end_array();
  w.end_object();
  return w.str() + "\n";
}

Result<ScratchRecord> parse_scratch(const std::string& text) {
  auto doc = parse_json(text, "upgrade run record");
  if (!doc.ok()) return Status::InvalidInput(doc.status().message());
  const YAML::Node& n = *doc;
  ScratchRecord r;
  try {
    if (!n.IsMap() || !n["id"] || !n["pid"] || !n["startTime"] || !n["namespaces"] || !n["objects"])
      return Status::InvalidInput("upgrade run record: incomplete");
    r.id = n["id"].as<std::string>();
    r.pid = n["pid"].as<pid_t>();
    r.start_time = n["startTime"].as<unsigned long long>();
    r.full_plane = n["fullPlane"] && n["fullPlane"].as<bool>();
    for (const auto& s : n["namespaces"]) r.namespaces.push_back(s.as<std::string>());
    for (const auto& s : n["objects"]) r.objects.push_back(s.as<std::string>());
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(std::string("upgrade run record: ") + e.what());
  }
  if (r.id.empty() || r.pid <= 0) return Status::InvalidInput("upgrade run record: no owner");
  return r;
}

std::string scratch_namespace(const std::string& id, const std::string& ns) {
  std::string name = "kvu-" + id + "-" + ns;
  if (name.size() <= 63) return name;
  std::string hash = fmt::format("{:06x}", std::hash<std::string>{}(ns) & 0xffffff);
  name = name.substr(0, 63 - 7);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name + "-" + hash;
}

std::string scratch_name(const std::string& id, const std::string& name) { return "kvu-" + id + "-" + name; }

Result<ScratchRun> ScratchRun::begin(kube::Transport& transport, const std::string& state_dir, bool full_plane) {
  sweep_dead_scratch(transport, state_dir);
  KV_RETURN_IF_ERROR(controlplane::make_private_dir(runs_dir(state_dir)));
  ScratchRecord rec;
  std::random_device rd;
  rec.id = fmt::format("{:06x}", rd() & 0xffffff);
  rec.pid = getpid();
  rec.start_time = pid_start_time(rec.pid).value_or(0);
  rec.full_plane = full_plane;
  std::string path = runs_dir(state_dir) + "/" + rec.id + ".json";
  KV_RETURN_IF_ERROR(controlplane::write_file_atomic(path, scratch_json(rec), 0600));
  return ScratchRun(path, std::move(rec));
}

Status ScratchRun::create_namespaces(kube::Transport& transport, const std::set<std::string>& input_ns) {
  std::vector<kube::Request> creates;
  for (const auto& ns : input_ns) {
    std::string name = scratch_namespace(rec_.id, ns);
    rec_.namespaces.push_back(name);
    JsonWriter w(false);
    w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
    w.key("metadata").begin_object().key("name").value(name);
    w.key("labels").begin_object().key(kScratchLabel).value(rec_.id).end_object();
    w.end_object().end_object();
    creates.push_back(request("POST", "/api/v1/namespaces?fieldManager=kvalidate-upgrade", w.str(), "application/json"));
  }
  KV_RETURN_IF_ERROR(controlplane::write_file_atomic(path_, scratch_json(rec_), 0600));
  return send_checked(transport, creates, 16, "creating the upgrade check's namespace", 409);
}

Status ScratchRun::record_objects(const std::vector<std::string>& paths) {
  rec_.objects.insert(rec_.objects.end(), paths.begin(), paths.end());
  return controlplane::write_file_atomic(path_, scratch_json(rec_), 0600);
}

Status ScratchRun::end(kube::Transport& transport) {
  Status removed = remove_scratch(transport, rec_);
  if (removed.ok()) ::unlink(path_.c_str());
  return removed;
}

Status remove_scratch(kube::Transport& transport, const ScratchRecord& rec, int jobs) {
  // Finalizers first: on a plain plane no controller would ever remove them (a PVC's pvc-protection).
  std::vector<kube::Request> unfinalize, deletes, ns_deletes, finalize;
  for (const auto& path : rec.objects) {
    unfinalize.push_back(request("PATCH", path, R"({"metadata":{"finalizers":null}})", "application/merge-patch+json"));
    deletes.push_back(request("DELETE", path + "?propagationPolicy=Background"));
  }
  for (const auto& ns : rec.namespaces) {
    std::string path = "/api/v1/namespaces/" + kube::percent_encode(ns);
    ns_deletes.push_back(request("DELETE", path));
    JsonWriter w(false);
    w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
    w.key("metadata").begin_object().key("name").value(ns).end_object();
    w.key("spec").begin_object().key("finalizers").begin_array().end_array().end_object();
    w.end_object();
    finalize.push_back(request("PUT", path + "/finalize", w.str(), "application/json"));
  }
  Status first = send_checked(transport, unfinalize, jobs, "clearing finalizers of");
  Status s = send_checked(transport, deletes, jobs, "deleting");
  if (first.ok()) first = s;
  s = send_checked(transport, ns_deletes, jobs, "deleting namespace", 409);
  if (first.ok()) first = s;
  // Without a namespace controller a deleted namespace stays Terminating: its content is gone, so
  // finalizing it is what that controller would do. On a full plane the controller does it (and
  // removes what controllers created there, e.g. Pods).
  if (!rec.full_plane) {
    s = send_checked(transport, finalize, jobs, "finalizing namespace", 409);
    if (first.ok()) first = s;
  }
  return first;
}

int sweep_dead_scratch(kube::Transport& transport, const std::string& state_dir) {
  int cleaned = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runs_dir(state_dir), ec)) {
    if (entry.path().extension() != ".json") continue;
    auto text = controlplane::read_file(entry.path().string());
    if (!text.ok()) continue;
    auto rec = parse_scratch(*text);
    if (!rec.ok()) {
      fs::remove(entry.path(), ec);  // half-written: nothing was created after it
      continue;
    }
    if (alive(*rec)) continue;
    if (remove_scratch(transport, *rec).ok()) {
      fs::remove(entry.path(), ec);
      ++cleaned;
    }
  }
  return cleaned;
}

}  // namespace kv::engine
