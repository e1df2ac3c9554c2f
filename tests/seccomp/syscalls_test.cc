// The x86_64 syscall name table: names to numbers and back, libseccomp's
// pseudo-numbers for calls x86_64 lacks, calls newer than libseccomp 2.5.4,
// and the errors for names that do not exist.
#include "seccomp/syscalls.h"

#include <seccomp.h>
#include <sys/syscall.h>

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::seccomp {
namespace {

using ::kekkai::testing::StatusIs;

TEST(SyscallNumberTest, NativeCalls) {
  EXPECT_EQ(SyscallNumber("read").value_or(-1), SYS_read);
  EXPECT_EQ(SyscallNumber("select").value_or(-1), SYS_select);
  EXPECT_EQ(SyscallNumber("clone3").value_or(-1), 435);
  EXPECT_EQ(SyscallNumber("ptrace").value_or(-1), SYS_ptrace);
  EXPECT_EQ(SyscallNumber("mount_setattr").value_or(-1), 442);
}

TEST(SyscallNumberTest, PseudoNumbersForCallsX8664Lacks) {
  // The same negative values hakurei's std tables carry (SNR_UMOUNT etc.).
  EXPECT_EQ(SyscallNumber("umount").value_or(0), __PNR_umount);
  EXPECT_EQ(SyscallNumber("chown32").value_or(0), __PNR_chown32);
  EXPECT_EQ(SyscallNumber("vm86").value_or(0), __PNR_vm86);
  EXPECT_EQ(SyscallNumber("vm86old").value_or(0), __PNR_vm86old);
  EXPECT_EQ(SyscallNumber("clock_settime64").value_or(0),
            __PNR_clock_settime64);
  EXPECT_LT(SyscallNumber("setuid32").value_or(0), 0);
}

TEST(SyscallNumberTest, CallsNewerThanLibseccomp) {
  EXPECT_EQ(SyscallNumber("uretprobe").value_or(-1), 335);
  EXPECT_EQ(SyscallNumber("statmount").value_or(-1), 457);
  EXPECT_EQ(SyscallNumber("mseal").value_or(-1), 462);
  EXPECT_EQ(SyscallNumber("file_setattr").value_or(-1), 469);
  EXPECT_EQ(SyscallName(462).value_or(""), "mseal");
  EXPECT_EQ(SyscallName(335).value_or(""), "uretprobe");
}

TEST(SyscallNumberTest, UnknownNamesAreClearErrors) {
  EXPECT_THAT(SyscallNumber("nonexistent_syscall"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown syscall \"nonexistent_syscall\""));
  EXPECT_THAT(SyscallNumber(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "unknown syscall \"\""));
  EXPECT_THAT(SyscallNumber(absl::string_view("ptrace\0x", 8)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown syscall \"ptrace\\x00x\""));
  // Names are exact: no case folding, no surrounding space.
  EXPECT_FALSE(SyscallNumber("PTRACE").ok());
  EXPECT_FALSE(SyscallNumber(" ptrace").ok());
}

TEST(SyscallNameTest, UnknownNumbersAreNotFound) {
  EXPECT_THAT(SyscallName(100000), StatusIs(absl::StatusCode::kNotFound,
                                            "unknown syscall number 100000"));
  EXPECT_FALSE(SyscallName(-5).ok());
}

TEST(SyscallNameTest, EveryNameRoundTrips) {
  // Every native number with a name, and the pseudo-number range.
  int native = 0;
  int pseudo = 0;
  for (int32_t number = -11000; number < 1000; ++number) {
    absl::StatusOr<std::string> name = SyscallName(number);
    if (!name.ok()) continue;
    ++(number >= 0 ? native : pseudo);
    absl::StatusOr<int32_t> back = SyscallNumber(*name);
    ASSERT_TRUE(back.ok()) << *name << ": " << back.status();
    EXPECT_EQ(*back, number) << *name;
  }
  // x86_64 has over 370 calls (0..335 with gaps, then 424..469), and
  // libseccomp names over a hundred more that it lacks.
  EXPECT_GE(native, 370);
  EXPECT_GE(pseudo, 100);
}

}  // namespace
}  // namespace kekkai::seccomp
