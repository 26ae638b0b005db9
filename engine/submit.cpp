#include "engine/submit.h"

#include <algorithm>
#include <chrono>

#include <fmt/core.h>

#include "kube/requests.h"

namespace kv::engine {

kube::Request request_for(const Target& t, const Resource& r, const std::string& body, const std::string& field_manager,
                          bool dry_run) {
  const auto& verbs = t.api.verbs;
  bool create = r.name.empty() || std::find(verbs.begin(), verbs.end(), "patch") == verbs.end();
  return create ? kube::create_request(t.api, t.namespace_, body, field_manager, dry_run)
                : kube::apply_request(t.api, t.namespace_, r.name, body, field_manager, dry_run);
}

std::vector<kube::Request> requests_for(const Plan& plan, const std::vector<Resource>& resources,
                                        const std::vector<size_t>& which, const std::string& field_manager,
                                        bool dry_run) {
  std::vector<kube::Request> reqs;
  reqs.reserve(which.size());
  for (size_t i : which) reqs.push_back(request_for(*plan.targets[i], resources[i], resources[i].body, field_manager, dry_run));
  return reqs;
}

Status PlaneWatch::observe(const kube::Response& resp, const Judgement& j) {
  if (!resp.transport_ok())
    return Status::Unavailable(fmt::format("lost the control plane at {}: {}", server_, resp.transport_error));
  // A server that answers but cannot work (its etcd gone) fails every request slowly: stop early rather
  // than wait out each one.
  bool server_failure = resp.status >= 500 && j.status == ObjectStatus::kError;
  failures_in_a_row_ = server_failure ? failures_in_a_row_ + 1 : 0;
  if (failures_in_a_row_ < kMaxServerFailuresInARow) return Status::Ok();
  return Status::Unavailable(fmt::format(
      "the API server at {} failed {} requests in a row (last: {}); its storage may be down "
      "(kvalidate logs --component etcd)",
      server_, failures_in_a_row_, j.findings.empty() ? std::to_string(resp.status) : j.findings.back().message));
}

Status submit(kube::Transport& transport, const std::vector<kube::Request>& reqs, int jobs,
              const JudgeAnswer& judge_answer, const RecordAnswer& record) {
  using Clock = std::chrono::steady_clock;
  Status lost;
  if (reqs.empty()) return lost;
  PlaneWatch watch(transport.server());
  const auto started = Clock::now();
  transport.send_all(reqs, jobs, [&](size_t k, const kube::Response& resp) {
    Judgement j = judge_answer(k, resp);
    Status s = watch.observe(resp, j);
    if (lost.ok() && !s.ok()) lost = s;
    record(k, std::move(j), std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    if (!lost.ok()) transport.cancel();
  });
  return lost;
}

}  // namespace kv::engine
