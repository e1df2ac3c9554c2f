// The Outcome -> Result mapping (shim/outcome.h) and Result::ToString.
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

#include "absl/status/status.h"
#include "common/setup_report.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/container.h"
#include "shim/outcome.h"
#include "shim/spawn.h"

namespace kekkai::shim::internal {
namespace {

using ::testing::HasSubstr;

SetupReport Started() {
  SetupReport report;
  report.kind = SetupReportKind::kStarted;
  report.pid = 2;
  return report;
}

SetupReport PayloadExited(int wait_status) {
  SetupReport report;
  report.kind = SetupReportKind::kPayloadExited;
  report.wait_status = wait_status;
  return report;
}

Outcome InitExited(int status, std::vector<SetupReport> reports) {
  Outcome outcome;
  outcome.init_pid = 4242;
  outcome.init_exited = true;
  outcome.init_status = status;
  outcome.reports = std::move(reports);
  return outcome;
}

TEST(MapOutcomeTest, ProgramExitStatusComesFromTheReport) {
  // init's own status (here 9) is not the program's: the report wins.
  const Result result =
      MapOutcome(InitExited(9, {Started(), PayloadExited(3 << 8)}));
  EXPECT_EQ(result.kind, Result::Kind::kExited);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.init_pid, 4242);
  EXPECT_FALSE(result.canceled);
  EXPECT_EQ(result.ToString(), "exited with status 3");
  EXPECT_FALSE(result.ok());
}

TEST(MapOutcomeTest, ExitZeroIsOk) {
  const Result result = MapOutcome(InitExited(0, {Started(), PayloadExited(0)}));
  EXPECT_TRUE(result.ok());
}

TEST(MapOutcomeTest, ProgramKilledBySignalIsSignaled) {
  const Result result =
      MapOutcome(InitExited(128 + SIGKILL, {Started(), PayloadExited(SIGKILL)}));
  EXPECT_EQ(result.kind, Result::Kind::kSignaled);
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(result.exit_code, 128 + SIGKILL);  // init's status
  EXPECT_EQ(result.ToString(), "killed by signal 9 (SIGKILL)");
}

TEST(MapOutcomeTest, SetupFailureCarriesStepOpIndexErrnoAndMessage) {
  SetupReport failed;
  failed.kind = SetupReportKind::kSetupFailed;
  failed.step = "mount proc on /proc";
  failed.op_index = 2;
  failed.err = EPERM;
  failed.message =
      "kekkai-init: cannot mount proc on /proc (op 2: proc): operation not "
      "permitted\n";
  const Result result = MapOutcome(InitExited(1, {failed}));
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed);
  EXPECT_EQ(result.step, "mount proc on /proc");
  EXPECT_EQ(result.op_index, 2);
  EXPECT_EQ(result.err, EPERM);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.message,
            "cannot mount proc on /proc (op 2: proc): operation not permitted");
  EXPECT_EQ(result.ToString(),
            "setup failed: cannot mount proc on /proc (op 2: proc): operation "
            "not permitted");
}

TEST(MapOutcomeTest, SetupFailureWithoutMessageGetsOne) {
  SetupReport failed;
  failed.kind = SetupReportKind::kSetupFailed;
  failed.step = "set hostname";
  failed.err = EINVAL;
  const Result result = MapOutcome(InitExited(1, {failed}));
  EXPECT_EQ(result.message, "cannot set hostname: invalid argument");
}

TEST(MapOutcomeTest, ExecFailureIsSetupFailedWithTheExecStep) {
  SetupReport failed;
  failed.kind = SetupReportKind::kExecFailed;
  failed.err = ENOENT;
  const Result result = MapOutcome(InitExited(1, {failed}));
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed);
  EXPECT_EQ(result.step, Result::kStepExec);
  EXPECT_EQ(result.err, ENOENT);
  EXPECT_EQ(result.op_index, -1);
  EXPECT_EQ(result.message, "cannot start program: no such file or directory");
}

TEST(MapOutcomeTest, CancelWithoutProgramStatusIsCanceled) {
  Outcome outcome = InitExited(0, {Started()});
  outcome.canceled = true;
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kCanceled);
  EXPECT_TRUE(result.canceled);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.ToString(), "canceled");
}

TEST(MapOutcomeTest, CancelKilledAfterWaitDelaySaysSo) {
  Outcome outcome = InitExited(0, {Started()});
  outcome.init_exited = false;
  outcome.init_status = SIGKILL;
  outcome.canceled = true;
  outcome.killed_after_delay = true;
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kCanceled);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_THAT(result.ToString(), HasSubstr("wait delay"));
}

TEST(MapOutcomeTest, ForwardedCancelReportsHowTheProgramEnded) {
  Outcome outcome = InitExited(2, {Started(), PayloadExited(2 << 8)});
  outcome.canceled = true;
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kExited);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.canceled);
}

TEST(MapOutcomeTest, NoReportsMeansInitStatusIsTheProgramStatus) {
  // hakurei's init: no reports, its status is the program's.
  const Result result = MapOutcome(InitExited(7, {}));
  EXPECT_EQ(result.kind, Result::Kind::kExited);
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_THAT(result.message, HasSubstr("no setup report"));
}

TEST(MapOutcomeTest, InitKilledBeforeTheProgramStartedIsStartFailed) {
  Outcome outcome = InitExited(0, {});
  outcome.init_exited = false;
  outcome.init_status = SIGSEGV;
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_THAT(result.message,
              HasSubstr("killed by signal 11 (SIGSEGV) before the program"));
}

TEST(MapOutcomeTest, InitKilledAfterTheProgramStartedIsSignaled) {
  Outcome outcome = InitExited(0, {Started()});
  outcome.init_exited = false;
  outcome.init_status = SIGKILL;
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kSignaled);
  EXPECT_EQ(result.signal, SIGKILL);
}

TEST(MapOutcomeTest, StartedButNoProgramStatusUsesInitStatus) {
  const Result result = MapOutcome(InitExited(5, {Started()}));
  EXPECT_EQ(result.kind, Result::Kind::kExited);
  EXPECT_EQ(result.exit_code, 5);
  EXPECT_THAT(result.message, HasSubstr("without reporting"));
}

TEST(MapOutcomeTest, CorruptReportStreamIsStartFailed) {
  Outcome outcome = InitExited(0, {});
  outcome.report_error = absl::DataLossError("setup report 0 at byte 0: bad");
  const Result result = MapOutcome(outcome);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "read setup report");
  EXPECT_THAT(result.message, HasSubstr("setup report 0 at byte 0: bad"));
  EXPECT_THAT(result.message, HasSubstr("init exited with status 0"));
}

TEST(MapOutcomeTest, SetupFailureWinsOverEverythingAfterIt) {
  SetupReport failed;
  failed.kind = SetupReportKind::kSetupFailed;
  failed.step = "x";
  Outcome outcome = InitExited(1, {failed, Started(), PayloadExited(0)});
  outcome.canceled = true;
  EXPECT_EQ(MapOutcome(outcome).kind, Result::Kind::kSetupFailed);
}

TEST(MapOutcomeTest, StoppedWaitStatusIsRefused) {
  // 0x137f: "stopped by SIGSTOP", never a final status.
  const Result result =
      MapOutcome(InitExited(0, {Started(), PayloadExited(0x137f)}));
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_THAT(result.message, HasSubstr("impossible wait status"));
}

TEST(StartFailedResultTest, CarriesStepErrnoAndMessage) {
  const absl::Status status = WithStep(
      Annotate(ErrnoStatus(ENOENT, "execve(\"/x\")"), "start: execute init"),
      "execute init");
  const Result result = StartFailedResult(status, 77);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "execute init");
  EXPECT_EQ(result.err, ENOENT);
  EXPECT_EQ(result.init_pid, 77);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.ToString(),
            "start failed: start: execute init: execve(\"/x\"): No such file "
            "or directory [ENOENT]");
}

TEST(ResultTest, UnknownSignalIsNamedByNumber) {
  Result result;
  result.kind = Result::Kind::kSignaled;
  result.signal = 200;
  EXPECT_EQ(result.ToString(), "killed by signal 200 (signal 200)");
}

TEST(ResultTest, DefaultIsNotOk) {
  EXPECT_FALSE(Result().ok());
  EXPECT_EQ(Result().kind, Result::Kind::kStartFailed);
}

}  // namespace
}  // namespace kekkai::shim::internal
