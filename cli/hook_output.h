// Hook mode's "quiet on success": the text report goes to a temporary file that is shown only when the
// run fails, so a passing pre-commit hook prints nothing.
#pragma once

#include <string>
#include <vector>

namespace kv::cli {

class HookText {
 public:
  HookText() = default;
  HookText(const HookText&) = delete;
  HookText& operator=(const HookText&) = delete;
  ~HookText();

  // With no -o given (`outputs` empty): sends the text report to a temporary file. Otherwise the
  // outputs are left as the user asked.
  void capture(std::vector<std::string>& outputs);

  // Prints the captured report to stdout when `code` is not 0; returns `code`.
  int finish(int code);

 private:
  std::string path_;
};

}  // namespace kv::cli
