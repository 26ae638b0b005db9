#include "controlplane/data_template.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "core/digest.h"
#include "core/tools.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

namespace {

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

Status io_error(const std::string& path) { return Status::IOError(path + ": " + std::strerror(errno)); }

bool all_zero(const char* p, size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == 0; });
}

// Copies [from, to) of `in` into `out` at the same offsets, skipping (leaving holes for) zero blocks.
bool copy_range(int in, int out, off_t from, off_t to) {
  static constexpr size_t kBlock = 64 * 1024;
  std::string buf(kBlock, '\0');
  for (off_t at = from; at < to;) {
    size_t want = static_cast<size_t>(std::min<off_t>(static_cast<off_t>(kBlock), to - at));
    ssize_t n = ::pread(in, buf.data(), want, at);
    if (n <= 0) return n == 0;
    if (!all_zero(buf.data(), static_cast<size_t>(n)) && ::pwrite(out, buf.data(), static_cast<size_t>(n), at) != n)
      return false;
    at += n;
  }
  return true;
}

// One regular file, sparse: only the source's data segments are read, and zero blocks in them are
// not written either. The size is set at the end, so trailing holes count.
Status copy_file_sparse(const std::string& src, const std::string& dst) {
  Fd in{::open(src.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return io_error(src);
  struct stat st{};
  if (::fstat(in.fd, &st) != 0) return io_error(src);
  Fd out{::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (out.fd < 0) return io_error(dst);
  for (off_t data = 0; data < st.st_size;) {
    data = ::lseek(in.fd, data, SEEK_DATA);
    if (data < 0) break;  // ENXIO: only a hole is left
    off_t hole = ::lseek(in.fd, data, SEEK_HOLE);
    if (hole < 0) hole = st.st_size;
    if (!copy_range(in.fd, out.fd, data, hole)) return io_error(dst);
    data = hole;
  }
  if (::ftruncate(out.fd, st.st_size) != 0) return io_error(dst);
  return Status::Ok();
}

Status copy_tree(const std::string& src, const std::string& dst) {
  KV_RETURN_IF_ERROR(make_private_dir(dst));
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(src, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string to = dst + "/" + fs::relative(it->path(), src).string();
    if (it->is_directory()) KV_RETURN_IF_ERROR(make_private_dir(to));
    else if (it->is_regular_file()) KV_RETURN_IF_ERROR(copy_file_sparse(it->path().string(), to));
  }
  if (ec) return Status::IOError(src + ": " + ec.message());
  return Status::Ok();
}

constexpr const char* kComplete = "complete";  // written last in a template folder

}  // namespace

std::string template_key(const std::vector<std::string>& parts) {
  std::string all;
  for (const auto& p : parts) all += fmt::format("{}:{}\n", p.size(), p);  // length-prefixed: no ambiguity
  return hex_sha256(all, 12);
}

std::string file_identity(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path + " ?";
  long long ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return fmt::format("{} {} {}", path, static_cast<long long>(st.st_size), ns);
}

std::string templates_root() { return cache_dir() + "/templates"; }

std::optional<std::string> find_template(const std::string& root, const std::string& key) {
  std::string dir = root + "/" + key;
  std::error_code ec;
  if (!fs::exists(dir + "/" + kComplete, ec) || !fs::is_directory(dir + "/etcd-data", ec)) return std::nullopt;
  return dir + "/etcd-data";
}

Status copy_data_dir(const std::string& src, const std::string& dst) {
  std::error_code ec;
  if (fs::exists(dst, ec)) return Status::IOError(dst + ": already exists");
  Status st = copy_tree(src, dst);
  if (!st.ok()) fs::remove_all(dst, ec);
  return st;
}

Status publish_template(const std::string& data_dir, const std::string& root, const std::string& key) {
  if (find_template(root, key)) return Status::Ok();
  KV_RETURN_IF_ERROR(make_private_dir(root));
  std::string tmp = fmt::format("{}/{}.tmp.{}", root, key, ::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  KV_RETURN_IF_ERROR(make_private_dir(tmp));
  Status st = copy_data_dir(data_dir, tmp + "/etcd-data");
  if (st.ok()) st = write_file_atomic(tmp + "/" + kComplete, key + "\n", 0600);
  if (st.ok()) fs::remove_all(root + "/" + key, ec);  // an incomplete one (a maker died): never used
  if (st.ok() && ::rename(tmp.c_str(), (root + "/" + key).c_str()) != 0 && !find_template(root, key))
    st = io_error(root + "/" + key);
  fs::remove_all(tmp, ec);
  return st;
}

}  // namespace kv::controlplane
