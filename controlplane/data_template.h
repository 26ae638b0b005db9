// Pre-bootstrapped etcd data for new planes. A fresh kube-apiserver spends most of its first start
// writing its bootstrap objects (RBAC roles, priority classes, flow control, the system namespaces); a
// plane that starts from a copy of a cleanly stopped fresh plane's etcd data skips those writes. One
// template per binaries and flags (paths and ports aside), under <cache>/templates/<key>/etcd-data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace kv::controlplane {

// 24 hex digits of a SHA-256 over `parts` (each one whole, in order). The callers pass the canonical
// command lines (paths and ports replaced by fixed ones) and the binaries' identities, so that planes differing only in where they live and listen share a template and anything else that
// can change what a fresh plane writes gets its own.
std::string template_key(const std::vector<std::string>& parts);

// "<path> <size> <mtime in ns>" of a file, or "<path> ?" when it cannot be stat'ed: a rebuilt binary
// gets a new template.
std::string file_identity(const std::string& path);

// Where templates live: <cache_dir()>/templates.
std::string templates_root();

// The etcd data folder of template `key` under `root`, when that template is complete; else nullopt.
std::optional<std::string> find_template(const std::string& root, const std::string& key);

// Copies the data folder `src` to `dst` (which must not exist yet): folders 0700, files 0600, and runs
// of zero bytes left as holes (etcd preallocates its WAL: 64 MB, nearly all zeros). IOError naming the
// path on failure, with `dst` removed again.
Status copy_data_dir(const std::string& src, const std::string& dst);

// Publishes `data_dir` (the data of a cleanly stopped etcd) as template `key` under `root` (0700):
// copied beside it first, then renamed into place, so a reader sees a whole template or none. A
// template already there is kept (another start made it first).
Status publish_template(const std::string& data_dir, const std::string& root, const std::string& key);

}  // namespace kv::controlplane
