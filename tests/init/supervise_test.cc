// The pid-1 loop (init/supervise.h), scripted: reaping, exit statuses,
// AdoptWaitDelay, signal forwarding and cancellation.
#include "init/supervise.h"

#include <signal.h>
#include <sys/wait.h>

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/init/mock_sys.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::_;
using ::testing::InSequence;
using ::testing::Return;

constexpr int kFd = 7;
constexpr pid_t kPayload = 2;

int Exited(int code) { return code << 8; }     // as waitpid reports it
int Killed(int sig) { return sig; }

sys::ChildWait Reaped(pid_t pid, int status) { return {pid, status}; }
sys::ChildWait NoneReady() { return {0, 0}; }
sys::ChildWait NoChildren() { return {-1, 0}; }

init::Supervision Payload(int64_t delay_ns = 5'000'000'000,
                          bool forward_cancel = false) {
  init::Supervision s;
  s.payload = kPayload;
  s.adopt_wait_delay_ns = delay_ns;
  s.forward_cancel = forward_cancel;
  return s;
}

TEST(ExitStatusForTest, IsHakureis) {
  EXPECT_EQ(init::ExitStatusFor(Exited(0)), 0);
  EXPECT_EQ(init::ExitStatusFor(Exited(3)), 3);
  EXPECT_EQ(init::ExitStatusFor(Killed(SIGKILL)), 128 + SIGKILL);
  EXPECT_EQ(init::ExitStatusFor(Killed(SIGTERM) | 0x80), 128 + SIGTERM);
  EXPECT_EQ(init::ExitStatusFor(0x137f), 255);  // stopped: neither
}

TEST(SuperviseTest, ExitsWithThePayloadsStatusWhenNoChildIsLeft) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGCHLD));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(3))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(1000));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  std::vector<int> seen;
  init::Supervision s = Payload();
  s.on_payload_exit = [&seen](int status) { seen.push_back(status); };
  EXPECT_EQ(init::Supervise(sys, kFd, s), 3);
  EXPECT_THAT(seen, ::testing::ElementsAre(Exited(3)));
}

TEST(SuperviseTest, AKilledPayloadGives128PlusTheSignal) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild())
      .WillOnce(Return(Reaped(kPayload, Killed(SIGKILL))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload()), 137);
}

TEST(SuperviseTest, OrphansAreReapedAndDoNotChangeTheStatus) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(40, Exited(9))));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(4))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  // 5 s to wait for the orphan that is still running.
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(1'000'000'000));
  EXPECT_CALL(sys, ReadSignal(kFd, 4000)).WillOnce(Return(SIGCHLD));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(41, Killed(9))));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload()), 4);
}

TEST(SuperviseTest, LingeringProcessesEndWhenAdoptWaitDelayRunsOut) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(6))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  // 1.5 ms left rounds up to 2 ms.
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(500'000));
  EXPECT_CALL(sys, ReadSignal(kFd, 2)).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(2'000'001));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload(2'000'000)), 6);
}

TEST(SuperviseTest, ASpuriousWakeUpBeforeTheDeadlineKeepsWaiting) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(0))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, ReadSignal(kFd, 10)).WillOnce(Return(0));  // spurious
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(5'000'000));
  EXPECT_CALL(sys, ReadSignal(kFd, 5)).WillOnce(Return(SIGCHLD));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload(10'000'000)), 0);
}

TEST(SuperviseTest, ZeroDelayExitsRightAfterThePayload) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(1))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(100));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(100));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload(-5)), 1);  // negative: 0
}

TEST(SuperviseTest, SigtermAndSigquitAreForwardedWhileThePayloadRuns) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGTERM));
  EXPECT_CALL(sys, Kill(kPayload, SIGTERM)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGQUIT));
  // A failed forward is logged, not fatal.
  EXPECT_CALL(sys, Kill(kPayload, SIGQUIT)).WillOnce(Return(Injected(1)));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Killed(SIGTERM))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, ReadSignal(kFd, 5000)).WillOnce(Return(SIGTERM));
  // The payload is gone: nothing to forward to.
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload()), 128 + SIGTERM);
}

TEST(SuperviseTest, CancelExitsZero) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGUSR2));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload()), 0);
}

TEST(SuperviseTest, ForwardCancelInterruptsThePayloadOnce) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGUSR2));
  EXPECT_CALL(sys, Kill(kPayload, SIGINT)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Reaped(kPayload, Exited(130))));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
  EXPECT_CALL(sys, ReadSignal(kFd, 5000)).WillOnce(Return(SIGUSR2));
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoChildren()));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload(5'000'000'000, true)), 130);
}

TEST(SuperviseTest, SigintToInitExitsZero) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(NoneReady()));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(SIGINT));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload(5'000'000'000, true)), 0);
}

TEST(SuperviseTest, LoopErrors) {
  // A failing wait is logged and the loop goes on; a failing signal read
  // ends it with the status so far (2: the payload was never seen).
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(Injected(1)));
  EXPECT_CALL(sys, ReadSignal(kFd, -1)).WillOnce(Return(Injected(2)));
  EXPECT_EQ(init::Supervise(sys, kFd, Payload()), 2);
}

TEST(SuperviseTest, SignalsHandled) {
  EXPECT_THAT(init::SupervisedSignals(),
              ::testing::UnorderedElementsAre(SIGCHLD, SIGUSR2, SIGINT,
                                              SIGTERM, SIGQUIT));
}

}  // namespace
}  // namespace kekkai::testing
