// MockSys: the syscall seam as a GoogleMock, for scripting every kernel call
// of an op, a composite helper or the init sequence (STYLE.md §4.12):
//
//   StrictMockSys sys;        // any unexpected call fails the test
//   InSequence seq;           // the order of calls is part of the contract
//   EXPECT_CALL(sys, Mount("proc", "/sysroot/proc", "proc", flags, ""))
//       .WillOnce(Return(absl::OkStatus()));
//
// Helpers below build distinct injected errors and fds that are safe to
// hand to code that closes them.
#ifndef KEKKAI_TESTS_INIT_MOCK_SYS_H_
#define KEKKAI_TESTS_INIT_MOCK_SYS_H_

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/sys/sys.h"
#include "gmock/gmock.h"

namespace kekkai::testing {

class MockSys : public sys::Sys {
 public:
  // Out of line (mock_sys.cc), as gMock's cookbook advises: the vtable and
  // every mocked method are then compiled once, not in each test file.
  MockSys();
  ~MockSys() override;

  MOCK_METHOD(pid_t, Getpid, (), (override));
  MOCK_METHOD(absl::Status, SetPtracer, (unsigned long), (override));
  MOCK_METHOD(absl::Status, SetDumpable, (int), (override));
  MOCK_METHOD(mode_t, Umask, (mode_t), (override));
  MOCK_METHOD(absl::Status, Sethostname, (const std::string&), (override));
  MOCK_METHOD(absl::Status, SetCloexec, (int), (override));
  MOCK_METHOD(absl::Status, CloexecFrom, (int), (override));
  MOCK_METHOD(absl::StatusOr<std::string>, ReadFile, (const std::string&),
              (override));
  MOCK_METHOD(absl::Status, WriteFile,
              (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::string>, ReadAll, (int, size_t),
              (override));
  MOCK_METHOD(absl::Status, WriteAll, (int, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<UniqueFd>, Open,
              (const std::string&, int, mode_t), (override));
  MOCK_METHOD(absl::StatusOr<sys::FileType>, Stat, (const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<sys::FileType>, Lstat, (const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<std::string>, RealPath, (const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<std::string>, Readlink, (const std::string&),
              (override));
  MOCK_METHOD(absl::Status, Mkdir, (const std::string&, mode_t), (override));
  MOCK_METHOD(absl::StatusOr<std::string>, MakeTempDir,
              (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<sys::TempFile>, MakeTempFile,
              (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::Status, Unlink, (const std::string&), (override));
  MOCK_METHOD(absl::Status, Symlink, (const std::string&, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<std::vector<std::string>>, ReadDir,
              (const std::string&), (override));
  MOCK_METHOD(bool, Isatty, (int), (override));
  MOCK_METHOD(absl::Status, Chdir, (const std::string&), (override));
  MOCK_METHOD(absl::Status, Fchdir, (int), (override));
  MOCK_METHOD(absl::Status, Mount,
              (const std::string&, const std::string&, const std::string&,
               unsigned long, const std::string&),
              (override));
  MOCK_METHOD(absl::Status, Umount2, (const std::string&, int), (override));
  MOCK_METHOD(absl::Status, PivotRoot, (const std::string&, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<sys::MountAttr>, StatMount, (const std::string&),
              (override));
  MOCK_METHOD(absl::Status, CapAmbientClearAll, (), (override));
  MOCK_METHOD(absl::Status, CapAmbientRaise, (int), (override));
  MOCK_METHOD(absl::Status, CapBoundingSetDrop, (int), (override));
  MOCK_METHOD(absl::Status, Capset, (uint64_t, uint64_t, uint64_t),
              (override));
  MOCK_METHOD(absl::Status, LoadSeccomp,
              (const std::vector<NativeRule>&, uint32_t), (override));
  MOCK_METHOD(absl::Status, BringUpLoopback, (), (override));
  MOCK_METHOD(absl::StatusOr<pid_t>, StartProcess, (const sys::ExecSpec&),
              (override));
  MOCK_METHOD(absl::StatusOr<UniqueFd>, SignalFd, (const std::vector<int>&),
              (override));
  MOCK_METHOD(absl::StatusOr<int>, ReadSignal, (int, int64_t), (override));
  MOCK_METHOD(absl::StatusOr<sys::ChildWait>, WaitAnyChild, (), (override));
  MOCK_METHOD(absl::Status, Kill, (pid_t, int), (override));
  MOCK_METHOD(int64_t, MonotonicNanos, (), (override));
  MOCK_METHOD(absl::Status, MkdirAll, (const std::string&, mode_t),
              (override));
  MOCK_METHOD(absl::Status, EnsureFile, (const std::string&, mode_t, mode_t),
              (override));
  MOCK_METHOD(absl::Status, BindMount,
              (const std::string&, const std::string&, unsigned long),
              (override));
  MOCK_METHOD(absl::Status, Remount, (const std::string&, unsigned long),
              (override));
  MOCK_METHOD(absl::Status, MountTmpfs,
              (const std::string&, const std::string&, unsigned long, int64_t,
               uint32_t),
              (override));
};

// StrictMock<MockSys> with its constructor and destructor compiled once
// (mock_sys.cc); tests use this rather than naming StrictMock<MockSys>.
class StrictMockSys final : public ::testing::StrictMock<MockSys> {
 public:
  StrictMockSys();
  ~StrictMockSys() override;
};

// A distinct error for injection number `n`: errno EPERM..., message
// "injected #n", so a test can tell which step's error came back.
inline absl::Status Injected(int n, int err = EPERM) {
  return ErrnoStatus(err, absl::StrCat("injected #", n));
}

// A real fd (on /dev/null, close-on-exec) that code under test may own and
// close; its number is what the scripted calls expect.
inline UniqueFd NullFd() {
  return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_INIT_MOCK_SYS_H_
