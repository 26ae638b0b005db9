#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace kv {

namespace {

std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && extra.count(entry.substr(0, eq))) continue;
    out.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) close(fd); }
  void reset() { if (fd >= 0) close(fd); fd = -1; }
};

}  // namespace

std::optional<std::string> find_in_path(const std::string& name) {
  namespace fs = std::filesystem;
  auto executable = [](const std::string& p) { return access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); };
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return fs::absolute(name).string();
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

Result<RunResult> run_command(const std::vector<std::string>& argv, const RunOptions& opts) {
  if (argv.empty()) return Status::Internal("run_command: empty argv");
  auto exe = find_in_path(argv[0]);
  if (!exe) return Status::NotFound(argv[0] + ": not found in PATH");

  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC))
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  Fd in_w{in_pipe[1]}, out_r{out_pipe[0]}, err_r{err_pipe[0]};
  Fd in_r{in_pipe[0]}, out_w{out_pipe[1]}, err_w{err_pipe[1]};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!opts.inherit_stdin) posix_spawn_file_actions_adddup2(&fa, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
  if (!opts.pass_stderr) posix_spawn_file_actions_adddup2(&fa, err_w.fd, 2);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  auto args = argv;
  auto envs = merged_env(opts.env);
  auto cargs = c_strings(args);
  auto cenv = c_strings(envs);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe->c_str(), &fa, nullptr, cargs.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Status::IOError(argv[0] + ": cannot start: " + std::strerror(rc));
  in_r.reset(); out_w.reset(); err_w.reset();
  if (opts.pass_stderr) err_r.reset();

  RunResult res;
  size_t written = 0;
  if (opts.stdin_data.empty() || opts.inherit_stdin) in_w.reset();
  else fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
  fcntl(out_r.fd, F_SETFL, O_NONBLOCK);
  fcntl(err_r.fd, F_SETFL, O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  char buf[65536];
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    std::vector<pollfd> fds;
    if (out_r.fd >= 0) fds.push_back({out_r.fd, POLLIN, 0});
    if (err_r.fd >= 0) fds.push_back({err_r.fd, POLLIN, 0});
    if (in_w.fd >= 0) fds.push_back({in_w.fd, POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) { res.timed_out = true; break; }
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == in_w.fd) {
        ssize_t w = write(in_w.fd, opts.stdin_data.data() + written, opts.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) in_w.reset();
        if (written == opts.stdin_data.size()) in_w.reset();
        continue;
      }
      ssize_t r = read(p.fd, buf, sizeof buf);
      std::string& dst = p.fd == out_r.fd ? res.out : res.err;
      if (r > 0) {
        if (p.fd == err_r.fd && opts.on_stderr) opts.on_stderr(std::string_view(buf, static_cast<size_t>(r)));
        if (dst.size() < opts.max_output) dst.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        (p.fd == out_r.fd ? out_r : err_r).reset();
      }
    }
  }
  in_w.reset();
  if (res.timed_out) kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {}
  if (!res.timed_out && WIFEXITED(wstatus)) res.exit_code = WEXITSTATUS(wstatus);
  return res;
}

Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::string& log_file,
                             const std::map<std::string, std::string>& env) {
  if (argv.empty()) return Status::Internal("spawn_detached: empty argv");
  auto exe = find_in_path(argv[0]);
  if (!exe) return Status::NotFound(argv[0] + ": not found");
  int log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Status::IOError(log_file + ": " + std::strerror(errno));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) { close(log_fd); close(null_fd); return Status::IOError("pipe failed"); }
  auto args = argv;
  auto envs = merged_env(env);
  auto cargs = c_strings(args);
  auto cenv = c_strings(envs);

  pid_t mid = fork();
  if (mid < 0) { close(log_fd); close(null_fd); close(report[0]); close(report[1]); return Status::IOError("fork failed"); }
  if (mid == 0) {
    // Intermediate child: new session, fork the daemon, report its pid, exit. Only async-signal-safe calls.
    setsid();
    pid_t daemon = fork();
    if (daemon == 0) {
      dup2(null_fd, 0);
      dup2(log_fd, 1);
      dup2(log_fd, 2);
      signal(SIGHUP, SIG_IGN);
      execve(exe->c_str(), cargs.data(), cenv.data());
      _exit(127);
    }
    ssize_t ignored = write(report[1], &daemon, sizeof daemon);
    (void)ignored;
    _exit(daemon > 0 ? 0 : 1);
  }
  close(report[1]);
  close(log_fd);
  close(null_fd);
  pid_t daemon = -1;
  ssize_t got = read(report[0], &daemon, sizeof daemon);
  close(report[0]);
  int st = 0;
  waitpid(mid, &st, 0);
  if (got != sizeof daemon || daemon <= 0) return Status::IOError(argv[0] + ": could not start daemon");
  return daemon;
}

bool pid_alive(pid_t pid) {
  if (pid <= 0) return false;
  return kill(pid, 0) == 0 || errno == EPERM;
}

std::optional<unsigned long long> pid_start_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!pid_alive(pid) || !std::getline(f, stat)) return std::nullopt;
  // Field 2 (comm) may contain spaces; parse after the last ')'.
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close_paren + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return std::nullopt;
    if (i == 22) return std::stoull(field);
  }
  return std::nullopt;
}

std::string pid_exe_name(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string arg0;
  if (!std::getline(f, arg0, '\0')) return "";
  auto slash = arg0.rfind('/');
  return slash == std::string::npos ? arg0 : arg0.substr(slash + 1);
}

bool terminate_process(pid_t pid, std::chrono::milliseconds grace) {
  if (!pid_alive(pid)) return true;
  auto gone = [pid] {
    // Reap if it is our child; otherwise poll its existence.
    int st;
    waitpid(pid, &st, WNOHANG);
    return !pid_alive(pid);
  };
  kill(pid, SIGTERM);
  auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  for (int i = 0; i < 50; ++i) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace kv
