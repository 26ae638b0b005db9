#include "render/git_snapshot.h"

#include <stdlib.h>

#include <filesystem>

#include <fmt/core.h>

#include "core/process.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

// Runs git with `args`; its stdout without the final newline (whole into `raw` when given), or its first
// stderr line as the error (InvalidInput; Unavailable when git cannot run).
Result<std::string> git(const std::vector<std::string>& args, std::string* raw = nullptr) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions ro;
  ro.timeout = std::chrono::minutes(2);
  ro.env = {{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_OPTIONAL_LOCKS", "0"}};
  auto r = run_command(argv, ro);
  if (!r.ok()) return Status::Unavailable("git: " + r.status().message());
  if (r->exit_code != 0) {
    std::string why = r->err.substr(0, r->err.find('\n'));
    if (why.rfind("fatal: ", 0) == 0) why.erase(0, 7);
    return Status::InvalidInput(why.empty() ? fmt::format("git exited with code {}", r->exit_code) : why);
  }
  if (raw) *raw = std::move(r->out);
  else while (!r->out.empty() && r->out.back() == '\n') r->out.pop_back();
  return raw ? std::string() : r->out;
}

}  // namespace

bool parse_git_spec(const std::string& spec, std::string& rev) {
  if (spec.rfind("git:", 0) != 0) return false;
  rev = spec.substr(4);
  return true;
}

Result<GitSnapshot> git_snapshot(const std::string& path, const std::string& rev, bool whole_tree) {
  const std::string where = fmt::format("--upgrade-from git:{} ({})", rev, path);
  if (rev.empty() || rev[0] == '-') return Status::InvalidInput(where + ": not a revision");
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec || !fs::exists(abs)) return Status::InvalidInput(where + ": no such file or folder");
  const fs::path dir = fs::is_directory(abs) ? abs : abs.parent_path();
  auto top = git({"-C", dir.string(), "rev-parse", "--show-toplevel"});
  if (!top.ok()) return top.status().Prefixed(where + ": not in a git work tree");
  auto commit = git({"-C", *top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"});
  if (!commit.ok() || commit->empty())
    return Status::InvalidInput(fmt::format("{}: {} does not name a commit in {}", where, rev, *top));
  // The path inside the repository, as git names it (symlinks in the work tree's path resolved).
  fs::path inside = fs::weakly_canonical(abs, ec).lexically_relative(fs::weakly_canonical(*top, ec));
  if (inside.empty() || *inside.begin() == "..") return Status::InvalidInput(where + ": outside the repository " + *top);
  const bool whole = inside == ".";

  GitSnapshot snap;
  snap.revision = rev;
  snap.commit = *commit;
  std::string tmpl = (fs::temp_directory_path() / "kvalidate-git-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return Status::IOError("cannot create a temporary directory for " + where);
  snap.tree = std::make_shared<TempDir>();
  snap.tree->path = tmpl;
  std::string tar;
  std::vector<std::string> args = {"-C", *top, "archive", "--format=tar", *commit};
  if (!whole && !whole_tree) args.insert(args.end(), {"--", inside.string()});
  auto archived = git(args, &tar);
  if (!archived.ok())
    return Status::InvalidInput(fmt::format("{}: {} did not exist at {} ({})", where, inside.string(), rev,
                                            archived.status().message()));
  RunOptions ro;
  ro.stdin_data = std::move(tar);
  auto x = run_command({"tar", "-x", "-f", "-", "-C", tmpl, "--no-same-owner", "--no-same-permissions"}, ro);
  if (!x.ok()) return x.status();
  if (x->exit_code != 0) return Status::IOError(fmt::format("{}: cannot extract: {}", where, x->err.substr(0, 200)));
  snap.path = whole ? tmpl : (fs::path(tmpl) / inside).string();
  if (!fs::exists(snap.path)) return Status::InvalidInput(fmt::format("{}: {} did not exist at {}", where, inside.string(), rev));
  return snap;
}

}  // namespace kv::render
