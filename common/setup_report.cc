#include "common/setup_report.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace kekkai {
namespace {

// Body: kind u8, op_index i32, err i32, pid i32, wait_status i32,
// step (u32 length + bytes), message (u32 length + bytes); little endian.
constexpr size_t kFixedBody = 1 + 4 * 4;

void PutU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

uint32_t GetU32(absl::string_view in, size_t at) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(in[at + i]))
             << (8 * i);
  }
  return value;
}

}  // namespace

std::string EncodeSetupReport(const SetupReport& report) {
  const size_t room = kMaxSetupReportSize - kFixedBody - 8;
  const absl::string_view step =
      absl::string_view(report.step).substr(0, room / 2);
  const absl::string_view message =
      absl::string_view(report.message).substr(0, room - step.size());
  std::string body;
  body.push_back(static_cast<char>(report.kind));
  PutU32(body, static_cast<uint32_t>(report.op_index));
  PutU32(body, static_cast<uint32_t>(report.err));
  PutU32(body, static_cast<uint32_t>(report.pid));
  PutU32(body, static_cast<uint32_t>(report.wait_status));
  PutU32(body, static_cast<uint32_t>(step.size()));
  body.append(step.data(), step.size());
  PutU32(body, static_cast<uint32_t>(message.size()));
  body.append(message.data(), message.size());
  std::string frame;
  PutU32(frame, static_cast<uint32_t>(body.size()));
  frame += body;
  return frame;
}

absl::StatusOr<std::vector<SetupReport>> DecodeSetupReports(
    absl::string_view stream) {
  std::vector<SetupReport> reports;
  size_t at = 0;
  while (at < stream.size()) {
    const size_t index = reports.size();
    auto fail = [&](absl::string_view what) {
      return absl::DataLossError(absl::StrFormat(
          "setup report %d at byte %d: %s", index, at, what));
    };
    if (stream.size() - at < 4) return fail("truncated length");
    const uint32_t length = GetU32(stream, at);
    if (length > kMaxSetupReportSize) return fail("frame too large");
    if (stream.size() - at - 4 < length) return fail("truncated frame");
    const absl::string_view body = stream.substr(at + 4, length);
    if (body.size() < kFixedBody + 8) return fail("body too short");
    SetupReport report;
    const uint8_t kind = static_cast<uint8_t>(body[0]);
    if (kind < 1 || kind > 4) return fail("unknown kind");
    report.kind = static_cast<SetupReportKind>(kind);
    report.op_index = static_cast<int32_t>(GetU32(body, 1));
    report.err = static_cast<int32_t>(GetU32(body, 5));
    report.pid = static_cast<int32_t>(GetU32(body, 9));
    report.wait_status = static_cast<int32_t>(GetU32(body, 13));
    size_t pos = kFixedBody;
    const uint32_t step_len = GetU32(body, pos);
    pos += 4;
    // In size_t: step_len + 4 must not wrap around in 32 bits.
    if (body.size() - pos < size_t{step_len} + 4) {
      return fail("step overruns frame");
    }
    report.step = std::string(body.substr(pos, step_len));
    pos += step_len;
    const uint32_t message_len = GetU32(body, pos);
    pos += 4;
    if (body.size() - pos != message_len) return fail("message length wrong");
    report.message = std::string(body.substr(pos, message_len));
    reports.push_back(std::move(report));
    at += 4 + length;
  }
  return reports;
}

}  // namespace kekkai
