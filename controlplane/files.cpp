#include "controlplane/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace kv::controlplane {

namespace fs = std::filesystem;

Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError(tmp + ": " + std::strerror(errno));
  fchmod(fd, mode);  // umask may have narrowed or the file may have existed
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      std::string err = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return Status::IOError(tmp + ": " + err);
    }
    done += static_cast<size_t>(w);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    unlink(tmp.c_str());
    return Status::IOError(path + ": " + err);
  }
  return Status::Ok();
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status make_private_dir(const std::string& dir, unsigned mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  if (chmod(dir.c_str(), mode) != 0) return Status::IOError(dir + ": " + std::strerror(errno));
  return Status::Ok();
}

std::string tail_lines(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return "";
  std::streamoff size = f.tellg();
  std::streamoff start = size > 65536 ? size - 65536 : 0;
  f.seekg(start);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (start > 0 && !lines.empty()) lines.erase(lines.begin());  // first line is likely cut
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

}  // namespace kv::controlplane
