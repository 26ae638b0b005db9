// The scratch objects of an upgrade check on kvalidate's own plane: the old version of the input is
// applied for real into namespaces of its own ("kvu-<run>-<namespace>", labelled
// kvalidate.io/upgrade-scratch=<run>), cluster-scoped objects renamed "kvu-<run>-<name>". A run writes
// what it is about to create into <state dir>/upgrade-runs/<run>.json first, removes it all when it ends,
// and removes what an earlier run that died (its process gone) left behind.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/transport.h"

namespace kv::engine {

inline constexpr const char* kScratchLabel = "kvalidate.io/upgrade-scratch";

struct ScratchRecord {
  std::string id;                       // 6 hex digits
  pid_t pid = 0;                        // the run's process, and its start time (a reused pid differs)
  unsigned long long start_time = 0;
  bool full_plane = false;              // a namespace controller finishes namespace deletion there
  std::vector<std::string> namespaces;  // scratch namespaces
  std::vector<std::string> objects;     // API paths of the objects applied, in order
};

std::string scratch_json(const ScratchRecord& r);
// InvalidInput for anything that is not a complete record.
Result<ScratchRecord> parse_scratch(const std::string& text);

// The scratch namespace for the input's namespace `ns` in run `id` (a DNS label: at most 63 characters,
// a long name cut and made unique with a hash of it).
std::string scratch_namespace(const std::string& id, const std::string& ns);
// The scratch name of a cluster-scoped object.
std::string scratch_name(const std::string& id, const std::string& name);

// One run's scratch set; the record file is rewritten (atomically) before anything new is created.
class ScratchRun {
 public:
  // Removes what dead runs recorded in `state_dir`, then starts this run's record. Fails (Unavailable)
  // when the record cannot be written.
  static Result<ScratchRun> begin(kube::Transport& transport, const std::string& state_dir, bool full_plane);
  const std::string& id() const { return rec_.id; }
  // Records, then creates the scratch namespaces of the input's namespaces `input_ns` (labelled).
  // Fails naming the first that cannot be created.
  Status create_namespaces(kube::Transport& transport, const std::set<std::string>& input_ns);
  // Records the API paths of objects about to be applied.
  Status record_objects(const std::vector<std::string>& paths);
  // Removes every recorded object (finalizers first), then the namespaces, then the record.
  Status end(kube::Transport& transport);

 private:
  ScratchRun(std::string path, ScratchRecord rec) : path_(std::move(path)), rec_(std::move(rec)) {}
  std::string path_;
  ScratchRecord rec_;
};

// Removes the objects and namespaces of `rec`: each object has its finalizers cleared and is deleted;
// each namespace is deleted and, on a plane without a namespace controller, finalized (its content was
// removed just before). Objects already gone count as removed. Returns the first failure.
Status remove_scratch(kube::Transport& transport, const ScratchRecord& rec, int jobs = 16);

// Removes what the records in <state_dir>/upgrade-runs of runs whose process is gone left, and their
// records. Returns how many records were cleaned up.
int sweep_dead_scratch(kube::Transport& transport, const std::string& state_dir);

}  // namespace kv::engine
