// Status and Result<T>: errors as values. A Status carries a code (which maps to an exit code) and a
// one-line message; Result<T> holds either a value or a failed Status. Nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/exit_codes.h"

namespace kv {

class Status {
 public:
  enum class Code { kOk, kInvalidInput, kUsage, kNotFound, kIO, kUnavailable, kInternal };

  Status() = default;
  static Status Ok() { return {}; }
  // Bad input from the user (a file, a flag value): exit 2.
  static Status InvalidInput(std::string msg) { return {Code::kInvalidInput, std::move(msg)}; }
  static Status Usage(std::string msg) { return {Code::kUsage, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIO, std::move(msg)}; }
  // The control plane or another piece of infrastructure is unreachable or failed: exit 3.
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "ok" : message_; }
  // The process exit code this failure maps to (exit_codes.h).
  int exit_code() const {
    switch (code_) {
      case Code::kOk: return exit_code::kClean;
      case Code::kUnavailable: case Code::kInternal: return exit_code::kInfrastructure;
      default: return exit_code::kBadInput;
    }
  }
  // Returns a copy whose message is "prefix: message".
  Status Prefixed(const std::string& prefix) const {
    return ok() ? *this : Status(code_, prefix + ": " + message_);
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}   // NOLINT: must not be ok()
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kv

#define KV_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::kv::Status kv_status_ = (expr);       \
    if (!kv_status_.ok()) return kv_status_; \
  } while (0)
