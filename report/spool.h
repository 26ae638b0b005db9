// Text appended piece by piece and read back once, in order: a report's results written as they come
// instead of held as results until the end. Kept in an anonymous temporary file (never named, gone with
// the process); in memory when no temporary file can be made or written.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/files.h"
#include "core/status.h"

namespace kv::report {

class Spool {
 public:
  Spool();
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(std::string_view text);
  bool empty() const { return size_ == 0; }
  // Calls put with the text in chunks, in order; the first failure (put's, or a read of the file) ends it.
  Status replay(const PutPiece& put);

 private:
  void to_memory();  // the file failed: what it holds is read back and the rest kept in memory
  std::FILE* file_ = nullptr;
  std::string memory_;
  size_t size_ = 0;   // bytes appended
  bool lost_ = false;  // the file failed and could not be read back
};

}  // namespace kv::report
