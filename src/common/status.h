// A small status type for the engine: cheap when OK, a code and a message
// otherwise. Codes become text only at the edges (API, logs, DLQ reasons).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace meal {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the input is malformed or violates a rule
  kNotFound,          // it refers to something we do not know
  kFailedPrecondition,// valid, but not applicable in the current state
  kIoError,           // disk or network
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Precondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status Io(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: window ends before it starts"
  std::string ToString() const;
  // Makes a deliberately ignored error searchable.
  void IgnoreError() const {}

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace meal
