#include "init/failure.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace kekkai::init {
namespace {

constexpr absl::string_view kStepUrl = "kekkai/init-step";
constexpr absl::string_view kReasonUrl = "kekkai/init-reason";
constexpr absl::string_view kOpUrl = "kekkai/init-op";
constexpr absl::string_view kFatalUrl = "kekkai/init-fatal";

// From a std::string rvalue: that Cord constructor is compiled into
// abseil, while the string_view one inlines cordz tracking that would need
// libabsl_cordz_info on the link line.
absl::Cord ToCord(absl::string_view text) { return absl::Cord(std::string(text)); }

std::optional<std::string> Payload(const absl::Status& status,
                                   absl::string_view url) {
  absl::optional<absl::Cord> payload = status.GetPayload(url);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace

absl::Status WithStep(absl::Status status, absl::string_view step) {
  if (status.ok() || status.GetPayload(kStepUrl).has_value()) return status;
  const std::optional<int> err = GetErrno(status);
  const std::string reason = err.has_value() ? ErrnoDescription(*err)
                                             : std::string(status.message());
  absl::Status annotated = Annotate(status, step);
  annotated.SetPayload(kStepUrl, ToCord(step));
  annotated.SetPayload(kReasonUrl, ToCord(reason));
  return annotated;
}

absl::Status WithStep(absl::Status status, absl::string_view step,
                      absl::string_view reason) {
  if (status.ok() || status.GetPayload(kStepUrl).has_value()) return status;
  absl::Status annotated = Annotate(status, step);
  annotated.SetPayload(kStepUrl, ToCord(step));
  annotated.SetPayload(kReasonUrl, ToCord(reason));
  return annotated;
}

absl::Status WithOpIndex(absl::Status status, int index) {
  if (status.ok() || status.GetPayload(kOpUrl).has_value()) return status;
  status.SetPayload(kOpUrl, absl::Cord(absl::StrCat(index)));
  return status;
}

absl::Status Fatal(absl::string_view message, absl::string_view step,
                   absl::StatusCode code) {
  absl::Status status(code, message);
  status.SetPayload(kReasonUrl, ToCord(message));
  status.SetPayload(kFatalUrl, ToCord(step));
  if (!step.empty()) status.SetPayload(kStepUrl, ToCord(step));
  return status;
}

std::optional<std::string> StepOf(const absl::Status& status) {
  return Payload(status, kStepUrl);
}

Failure DescribeFailure(const absl::Status& status) {
  Failure failure;
  failure.detail = std::string(status.message());
  failure.step = Payload(status, kStepUrl).value_or("");
  failure.fatal = status.GetPayload(kFatalUrl).has_value();
  if (std::optional<std::string> op = Payload(status, kOpUrl)) {
    int index = -1;
    if (absl::SimpleAtoi(*op, &index)) failure.op_index = index;
  }
  failure.err = GetErrno(status).value_or(0);
  if (std::optional<std::string> reason = Payload(status, kReasonUrl)) {
    failure.reason = *std::move(reason);
  } else if (failure.err != 0) {
    failure.reason = ErrnoDescription(failure.err);
  } else {
    failure.reason = failure.detail;
  }
  return failure;
}

std::string Failure::Line() const {
  if (fatal || step.empty()) return reason;
  std::string line = absl::StrCat("cannot ", step);
  if (op_index >= 0) {
    absl::StrAppend(&line, " (op ", op_index, op_type.empty() ? "" : ": ",
                    op_type, ")");
  }
  absl::StrAppend(&line, ": ", reason);
  return line;
}

}  // namespace kekkai::init
