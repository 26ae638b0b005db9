// The -o FORMAT[=FILE] values, the check that report files can be written, and the atomic file sink.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "core/files.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

bool known_format(const std::string& f) {
  for (const auto& k : report_formats())
    if (f == k.name) return true;
  return false;
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::vector<OutputSpec>> parse_output_specs(const std::vector<std::string>& flags) {
  std::vector<OutputSpec> specs;
  if (flags.empty()) return std::vector<OutputSpec>{{"text", ""}};
  std::set<std::string> paths;
  int on_stdout = 0;
  for (const auto& flag : flags) {
    OutputSpec spec;
    auto eq = flag.find('=');
    spec.format = flag.substr(0, eq);
    if (!known_format(spec.format)) {
      return Status::Usage("-o " + flag + ": unknown format '" + spec.format +
                           "' (valid: " + report_format_names() + ")");
    }
    if (eq != std::string::npos) {
      spec.path = flag.substr(eq + 1);
      if (spec.path.empty()) return Status::Usage("-o " + flag + ": empty file name after '='");
      if (spec.path == "-") spec.path.clear();
    }
    if (spec.path.empty()) {
      if (++on_stdout > 1) {
        return Status::Usage("-o " + flag +
                             ": only one format can go to stdout; give the others a file (FORMAT=FILE)");
      }
    } else if (!paths.insert(spec.path).second) {
      return Status::Usage("-o " + flag + ": " + spec.path + " is named by more than one -o");
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

Status check_writable(const std::vector<OutputSpec>& specs) {
  for (const auto& spec : specs) {
    if (spec.path.empty()) continue;
    const std::string dir = parent_dir(spec.path);
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::InvalidInput("cannot write report " + spec.path + ": folder " + dir +
                                  " does not exist");
    }
    // The report is written to a temp file in the folder and renamed: the folder must be writable.
    if (access(dir.c_str(), W_OK | X_OK) != 0) {
      return Status::InvalidInput("cannot write report " + spec.path + ": folder " + dir +
                                  " is not writable");
    }
    if (stat(spec.path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        return Status::InvalidInput("cannot write report " + spec.path + ": it is a folder");
      }
      if (access(spec.path.c_str(), W_OK) != 0) {
        return Status::InvalidInput("cannot write report " + spec.path + ": the file is not writable");
      }
    }
  }
  return Status::Ok();
}

Status write_file_atomically(const std::string& path, const std::string& text) {
  Status s = write_file_atomic(path, text, default_file_mode());
  return s.ok() ? s : Status::IOError("cannot write report " + s.message());
}

ReportSink make_sink(const std::string& path) {
  if (!path.empty()) {
    return ReportSink::Streaming([path](const WritePieces& pieces) {
      Status s = write_file_atomic(path, pieces, default_file_mode());
      return s.ok() ? s : Status::IOError("cannot write report " + s.message());
    });
  }
  return ReportSink::Streaming([](const WritePieces& pieces) {
    Status s = pieces([](std::string_view piece) {
      if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size())
        return Status::IOError(std::string("cannot write report to stdout: ") + std::strerror(errno));
      return Status::Ok();
    });
    if (s.ok() && std::fflush(stdout) != 0)
      return Status::IOError(std::string("cannot write report to stdout: ") + std::strerror(errno));
    return s;
  });
}

}  // namespace kv::report
