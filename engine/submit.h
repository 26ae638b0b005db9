// Submitting a phase: the objects' requests go out through a Transport, many in flight, and each answer
// is judged as it arrives. The run stops (Transport::cancel) when the plane is lost: an answer that
// never came, or the server failing several requests in a row without judging any object.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/judge.h"
#include "engine/plan.h"
#include "kube/transport.h"

namespace kv::engine {

// Server errors (5xx that judge no object) in a row after which the plane counts as lost.
inline constexpr int kMaxServerFailuresInARow = 3;

// The request that sends `body` as object `r` to `t`: server-side apply, or a create (POST) for
// generateName-only objects and kinds without "patch".
kube::Request request_for(const Target& t, const Resource& r, const std::string& body, const std::string& field_manager,
                          bool dry_run);

// The request for each object at `which` (request_for with the object's own text). Every index must
// have a target in `plan`.
std::vector<kube::Request> requests_for(const Plan& plan, const std::vector<Resource>& resources,
                                        const std::vector<size_t>& which, const std::string& field_manager,
                                        bool dry_run);

// Counts what the answers say about the plane; not ok once it is lost (Unavailable, exit 3).
class PlaneWatch {
 public:
  explicit PlaneWatch(std::string server) : server_(std::move(server)) {}
  // Looks at one answer and its judgement; returns the failure when this answer shows the plane lost.
  Status observe(const kube::Response& resp, const Judgement& j);

 private:
  std::string server_;
  int failures_in_a_row_ = 0;
};

using JudgeAnswer = std::function<Judgement(size_t k, const kube::Response& resp)>;
using RecordAnswer = std::function<void(size_t k, Judgement j, double duration_ms)>;

// Sends requests 0..count-1 (each made by `make` when its turn comes) with at most `jobs` in flight;
// each answer k is judged (`judge_answer`) and recorded (`record`) as it arrives. Returns the first
// failure of the plane (see PlaneWatch), after which nothing more is sent and the answers not yet
// recorded never are; else Ok.
Status submit(kube::Transport& transport, size_t count, const kube::MakeRequest& make, int jobs,
              const JudgeAnswer& judge_answer, const RecordAnswer& record);
// The same for requests made already.
Status submit(kube::Transport& transport, const std::vector<kube::Request>& reqs, int jobs,
              const JudgeAnswer& judge_answer, const RecordAnswer& record);

// kubectl apply --dry-run=server's way for the objects at `which`, whose server-side apply RBAC refused
// (needs_apply_fallback): a GET of each, then a dry-run update of those that exist (200) and a dry-run
// create of those that do not (404); any other answer to the GET ends that object's fallback. One
// Fallback per object at `which`, in order. `judge_answer(k, resp)` judges any answer about object
// which[k], for the plane watch only. Returns the plane lost (as submit); `out` is then incomplete.
Status submit_fallback(kube::Transport& transport, const Plan& plan, const std::vector<Resource>& resources,
                       const std::vector<size_t>& which, const std::string& field_manager, int jobs,
                       const JudgeAnswer& judge_answer, std::vector<Fallback>& out);

}  // namespace kv::engine
