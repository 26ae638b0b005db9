#include "engine/submit.h"

#include <algorithm>
#include <chrono>

#include <fmt/core.h>

#include "kube/requests.h"

namespace kv::engine {

kube::Request request_for(const Target& t, const Resource& r, const std::string& body, const std::string& field_manager,
                          bool dry_run) {
  const auto& verbs = t.api().verbs;
  bool create = r.name.empty() || std::find(verbs.begin(), verbs.end(), "patch") == verbs.end();
  return create ? kube::create_request(t.api(), t.namespace_, body, field_manager, dry_run)
                : kube::apply_request(t.api(), t.namespace_, r.name, body, field_manager, dry_run);
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

Status submit(kube::Transport& transport, size_t count, const kube::MakeRequest& make, int jobs,
              const JudgeAnswer& judge_answer, const RecordAnswer& record) {
  using Clock = std::chrono::steady_clock;
  Status lost;
  if (count == 0) return lost;
  PlaneWatch watch(transport.server());
  const auto started = Clock::now();
  transport.send_each(count, make, jobs, [&](size_t k, kube::Response&& resp) {
    Judgement j = judge_answer(k, resp);
    Status s = watch.observe(resp, j);
    if (lost.ok() && !s.ok()) lost = s;
    record(k, std::move(j), std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    if (!lost.ok()) transport.cancel();
  });
  return lost;
}

Status submit(kube::Transport& transport, const std::vector<kube::Request>& reqs, int jobs,
              const JudgeAnswer& judge_answer, const RecordAnswer& record) {
  return submit(transport, reqs.size(), [&](size_t k) { return reqs[k]; }, jobs, judge_answer, record);
}

Status submit_fallback(kube::Transport& transport, const Plan& plan, const std::vector<Resource>& resources,
                       const std::vector<size_t>& which, const std::string& field_manager, int jobs,
                       const JudgeAnswer& judge_answer, std::vector<Fallback>& out) {
  out.assign(which.size(), Fallback{});
  std::vector<kube::Request> reads;
  reads.reserve(which.size());
  for (size_t i : which) reads.push_back(kube::get_request(plan.targets[i]->api(), plan.targets[i]->namespace_, resources[i].name));
  auto ignore = [](size_t, Judgement, double) {};
  Status lost = submit(
      transport, reads, jobs,
      [&](size_t k, const kube::Response& resp) {
        out[k].read = resp;
        return judge_answer(k, resp);
      },
      ignore);
  if (!lost.ok()) return lost;
  std::vector<kube::Request> writes;
  std::vector<size_t> written;  // indices into `which`
  for (size_t k = 0; k < which.size(); ++k) {
    if (out[k].read.status != 200 && out[k].read.status != 404) continue;
    const Target& t = *plan.targets[which[k]];
    const Resource& r = resources[which[k]];
    out[k].exists = out[k].read.status == 200;
    writes.push_back(out[k].exists ? kube::update_request(t.api(), t.namespace_, r.name, r.body, field_manager, true)
                                   : kube::create_request(t.api(), t.namespace_, r.body, field_manager, true));
    written.push_back(k);
  }
  return submit(
      transport, writes, jobs,
      [&](size_t n, const kube::Response& resp) {
        Fallback& fb = out[written[n]];
        fb.write = resp;
        fb.written = true;
        return judge_answer(written[n], resp);
      },
      ignore);
}

}  // namespace kv::engine
