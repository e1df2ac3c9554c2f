// The setup report framing (setup_report.h): round trips, and a hostile
// stream (every truncation, oversized frames, bad kinds, lengths that lie)
// refused with the frame index and offset, never read out of bounds.
#include "common/setup_report.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::IsOkAndHolds;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<SetupReport> Samples() {
  SetupReport failed;
  failed.kind = SetupReportKind::kSetupFailed;
  failed.op_index = 3;
  failed.err = 13;
  failed.step = "mount proc on /proc";
  failed.message = "kekkai-init: cannot mount proc on /proc: permission denied";
  SetupReport exec_failed;
  exec_failed.kind = SetupReportKind::kExecFailed;
  exec_failed.err = 2;
  SetupReport started;
  started.kind = SetupReportKind::kStarted;
  started.pid = 2;
  SetupReport exited;
  exited.kind = SetupReportKind::kPayloadExited;
  exited.wait_status = 0x100;
  exited.op_index = -1;
  exited.step = std::string("\0\xff", 2);  // arbitrary bytes survive
  return {failed, exec_failed, started, exited};
}

void PutU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

TEST(SetupReportTest, RoundTripsEachAndAStream) {
  std::string stream;
  for (const SetupReport& report : Samples()) {
    const std::string frame = EncodeSetupReport(report);
    EXPECT_THAT(DecodeSetupReports(frame),
                IsOkAndHolds(std::vector<SetupReport>{report}));
    stream += frame;
  }
  EXPECT_THAT(DecodeSetupReports(stream), IsOkAndHolds(Samples()));
  EXPECT_THAT(DecodeSetupReports(""), IsOkAndHolds(std::vector<SetupReport>{}));
}

TEST(SetupReportTest, FrameLayoutIsLittleEndian) {
  SetupReport report;
  report.kind = SetupReportKind::kStarted;
  report.pid = 0x01020304;
  const std::string frame = EncodeSetupReport(report);
  // length, kind, op_index, err, pid, wait_status, step len, message len
  ASSERT_EQ(frame.size(), 4u + 1 + 16 + 8);
  EXPECT_EQ(frame.substr(0, 4), std::string("\x19\0\0\0", 4));
  EXPECT_EQ(frame[4], '\x03');
  EXPECT_EQ(frame.substr(5, 4), std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(frame.substr(13, 4), std::string("\x04\x03\x02\x01", 4));
}

TEST(SetupReportTest, EveryProperPrefixIsRefused) {
  const std::string frame = EncodeSetupReport(Samples()[0]);
  for (size_t n = 1; n < frame.size(); ++n) {
    EXPECT_THAT(DecodeSetupReports(frame.substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("setup report 0 at byte 0: truncated")))
        << n;
  }
  // And after a complete frame, the error names the second one.
  const std::string two = frame + frame.substr(0, 7);
  EXPECT_THAT(DecodeSetupReports(two),
              StatusIs(absl::StatusCode::kDataLoss,
                       Eq(absl::StrCat("setup report 1 at byte ", frame.size(),
                                       ": truncated frame"))));
}

TEST(SetupReportTest, OversizedFramesAreRefusedAndLongTextTruncated) {
  std::string huge;
  PutU32(huge, kMaxSetupReportSize + 1);
  huge += std::string(kMaxSetupReportSize + 1, 'x');
  EXPECT_THAT(DecodeSetupReports(huge),
              StatusIs(absl::StatusCode::kDataLoss,
                       Eq("setup report 0 at byte 0: frame too large")));
  // Encoding never produces such a frame: text is cut to fit.
  SetupReport report = Samples()[0];
  report.step = std::string(kMaxSetupReportSize, 's');
  report.message = std::string(kMaxSetupReportSize, 'm');
  const std::string frame = EncodeSetupReport(report);
  EXPECT_LE(frame.size(), kMaxSetupReportSize + 4);
  absl::StatusOr<std::vector<SetupReport>> decoded = DecodeSetupReports(frame);
  ASSERT_THAT(decoded, IsOk());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_FALSE((*decoded)[0].step.empty());
  EXPECT_FALSE((*decoded)[0].message.empty());
  EXPECT_EQ((*decoded)[0].step.find_first_not_of('s'), std::string::npos);
}

TEST(SetupReportTest, UnknownKindAndLyingLengthsAreRefused) {
  std::string frame = EncodeSetupReport(Samples()[2]);
  for (const char kind : {'\0', '\x05', '\xff'}) {
    std::string bad = frame;
    bad[4] = kind;
    EXPECT_THAT(DecodeSetupReports(bad),
                StatusIs(absl::StatusCode::kDataLoss,
                         Eq("setup report 0 at byte 0: unknown kind")));
  }
  // A body shorter than the fixed fields.
  std::string short_body;
  PutU32(short_body, 3);
  short_body += std::string("\x01\0\0", 3);
  EXPECT_THAT(DecodeSetupReports(short_body),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("body too short")));
  // Step lengths that overrun the frame, including ones that would wrap a
  // 32-bit sum around.
  for (const uint32_t step_len : {uint32_t{100}, uint32_t{0xfffffffc},
                                  uint32_t{0xffffffff}}) {
    std::string bad = frame;
    std::string len;
    PutU32(len, step_len);
    bad.replace(4 + 17, 4, len);
    EXPECT_THAT(DecodeSetupReports(bad),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("step overruns frame")))
        << step_len;
  }
  // A message length that disagrees with the frame.
  std::string bad = frame;
  std::string len;
  PutU32(len, 1);
  bad.replace(4 + 21, 4, len);
  EXPECT_THAT(DecodeSetupReports(bad),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("message length wrong")));
  // Trailing bytes inside the frame are not silently ignored either.
  std::string padded = frame;
  padded += "zz";
  std::string new_len;
  PutU32(new_len, static_cast<uint32_t>(padded.size() - 4));
  padded.replace(0, 4, new_len);
  EXPECT_THAT(DecodeSetupReports(padded), StatusIs(absl::StatusCode::kDataLoss,
                                                   HasSubstr("message length")));
  EXPECT_THAT(DecodeSetupReports(frame), IsOk());
  EXPECT_THAT(*DecodeSetupReports(""), IsEmpty());
}

}  // namespace
}  // namespace kekkai
