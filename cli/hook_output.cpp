#include "cli/hook_output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace kv::cli {

HookText::~HookText() {
  if (!path_.empty()) unlink(path_.c_str());
}

void HookText::capture(std::vector<std::string>& outputs) {
  if (!outputs.empty()) return;
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/kvalidate-hook-XXXXXX";
  int fd = mkstemp(templ.data());
  if (fd < 0) return;  // cannot buffer: the report goes to stdout as usual
  close(fd);
  path_ = templ;
  outputs.push_back("text=" + path_);
}

int HookText::finish(int code) {
  if (path_.empty() || code == 0) return code;
  std::ifstream in(path_, std::ios::binary);
  if (in && in.peek() != std::char_traits<char>::eof()) std::cout << in.rdbuf();
  std::cout.flush();
  return code;
}

}  // namespace kv::cli
