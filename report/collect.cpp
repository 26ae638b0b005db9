// The collecting reporter: keeps results and the summary for the caller instead of writing them.
#include "report/reporter.h"

namespace kv::report {
namespace {

class CollectingReporter : public Reporter {
 public:
  explicit CollectingReporter(std::shared_ptr<Collected> into) : into_(std::move(into)) {}
  void add(const ObjectResult& r) override { into_->results.push_back(r); }
  Status finish(const RunSummary& summary) override {
    into_->summary = summary;
    into_->finished = true;
    return Status::Ok();
  }

 private:
  std::shared_ptr<Collected> into_;
};

}  // namespace

std::unique_ptr<Reporter> make_collecting_reporter(std::shared_ptr<Collected> into) {
  return std::make_unique<CollectingReporter>(std::move(into));
}

}  // namespace kv::report
