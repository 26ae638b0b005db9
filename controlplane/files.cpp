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
