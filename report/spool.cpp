#include "report/spool.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace kv::report {

namespace {
constexpr size_t kChunk = 1 << 16;
}

Spool::Spool() : file_(std::tmpfile()) {}

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

void Spool::to_memory() {
  std::FILE* f = file_;
  file_ = nullptr;
  std::string kept;
  std::vector<char> buf(kChunk);
  if (std::fflush(f) == 0 && std::fseek(f, 0, SEEK_SET) == 0) {
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) kept.append(buf.data(), n);
  }
  std::fclose(f);
  // What the failed write left of its piece goes; what the file held before cannot be lost silently.
  if (kept.size() > size_) kept.resize(size_);
  if (kept.size() < size_) lost_ = true;
  memory_ = std::move(kept);
}

void Spool::append(std::string_view text) {
  if (file_ && std::fwrite(text.data(), 1, text.size(), file_) != text.size()) to_memory();
  if (!file_) memory_.append(text);
  size_ += text.size();
}

Status Spool::replay(const PutPiece& put) {
  if (lost_) return Status::IOError("cannot read back the report's results from its temporary file");
  if (!file_) return put(memory_);
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0)
    return Status::IOError(std::string("cannot read back the report's results: ") + std::strerror(errno));
  std::vector<char> buf(kChunk);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) {
    Status s = put(std::string_view(buf.data(), n));
    if (!s.ok()) return s;
  }
  if (std::ferror(file_))
    return Status::IOError(std::string("cannot read back the report's results: ") + std::strerror(errno));
  return Status::Ok();
}

}  // namespace kv::report
