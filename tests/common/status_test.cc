// The status helpers (status.h) and the two small runtime pieces beside
// them: UniqueFd and the logger.
#include "common/status.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "common/log.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;
using ::testing::Optional;

TEST(StatusTest, ErrnoStatusTextCodeAndPayload) {
  const absl::Status status = ErrnoStatus(EPERM, "mount(\"/a\", \"/b\")");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("mount(\"/a\", \"/b\"): Operation not permitted "
                          "[EPERM]")));
  EXPECT_THAT(GetErrno(status), Optional(EPERM));
  EXPECT_THAT(ErrnoStatus(ENOENT, "open(\"/x\")"),
              StatusIs(absl::StatusCode::kNotFound,
                       Eq("open(\"/x\"): No such file or directory [ENOENT]")));
  // An errno glibc does not know still gives a readable status.
  const absl::Status unknown = ErrnoStatus(4000, "frob()");
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kUnknown,
                                Eq("frob(): Unknown error [errno 4000]")));
  EXPECT_THAT(GetErrno(unknown), Optional(4000));
}

TEST(StatusTest, GetErrnoIsEmptyWithoutPayload) {
  EXPECT_EQ(GetErrno(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(GetErrno(absl::InvalidArgumentError("x")), std::nullopt);
}

TEST(StatusTest, AnnotatePrependsAndKeepsCodeAndPayload) {
  const absl::Status leaf = ErrnoStatus(EACCES, "open(\"/etc/shadow\")");
  const absl::Status annotated =
      Annotate(Annotate(leaf, "op 2 (bind)"), "cannot set up");
  EXPECT_THAT(annotated,
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("cannot set up: op 2 (bind): open(\"/etc/shadow\"): "
                          "Permission denied [EACCES]")));
  EXPECT_THAT(GetErrno(annotated), Optional(EACCES));
  EXPECT_THAT(Annotate(absl::OkStatus(), "context"), IsOk());
}

TEST(StatusTest, ErrnoDescriptionAndName) {
  EXPECT_EQ(ErrnoDescription(EPERM), "operation not permitted");
  EXPECT_EQ(ErrnoDescription(ENOENT), "no such file or directory");
  EXPECT_EQ(ErrnoDescription(100000), "errno 100000");
  EXPECT_EQ(ErrnoName(ENOSYS), "ENOSYS");
  EXPECT_EQ(ErrnoName(-5), "errno -5");
}

TEST(StatusTest, ErrnoFromName) {
  EXPECT_THAT(ErrnoFromName("EPERM"), Optional(EPERM));
  EXPECT_THAT(ErrnoFromName("enosys"), Optional(ENOSYS));
  EXPECT_THAT(ErrnoFromName("38"), Optional(38));
  EXPECT_THAT(ErrnoFromName("0"), Optional(0));
  EXPECT_THAT(ErrnoFromName("EWOULDBLOCK"), Optional(EAGAIN));
  EXPECT_THAT(ErrnoFromName("ENOTSUP"), Optional(EOPNOTSUPP));
  EXPECT_THAT(ErrnoFromName("EDEADLOCK"), Optional(EDEADLK));
  EXPECT_EQ(ErrnoFromName("-1"), std::nullopt);
  EXPECT_EQ(ErrnoFromName("EPREM"), std::nullopt);
  EXPECT_EQ(ErrnoFromName(""), std::nullopt);
  EXPECT_EQ(ErrnoFromName(std::string("EPERM\0", 6)), std::nullopt);
  // Every name glibc gives maps back to its value (41 and 58 have none).
  int named = 0;
  for (int err = 1; err < 134; ++err) {
    const std::string name = ErrnoName(err);
    if (name.rfind("errno ", 0) == 0) continue;
    ++named;
    EXPECT_THAT(ErrnoFromName(name), Optional(err)) << err;
  }
  EXPECT_GT(named, 120);
}

absl::Status FailsWith(int err) { return ErrnoStatus(err, "step"); }
absl::StatusOr<int> Value(bool ok) {
  if (!ok) return absl::InvalidArgumentError("no value");
  return 42;
}

absl::Status Chain(bool ok, int& out) {
  // Nested use: a lambda using the macro inside another macro's argument.
  KEKKAI_RETURN_IF_ERROR([&]() -> absl::Status {
    KEKKAI_ASSIGN_OR_RETURN(const int inner, Value(ok));
    KEKKAI_ASSIGN_OR_RETURN(out, Value(ok));
    KEKKAI_RETURN_IF_ERROR(inner == 42 ? absl::OkStatus() : FailsWith(EIO));
    return absl::OkStatus();
  }());
  return absl::OkStatus();
}

TEST(StatusTest, MacrosReturnTheErrorAndAssignTheValue) {
  int out = 0;
  EXPECT_THAT(Chain(true, out), IsOk());
  EXPECT_EQ(out, 42);
  out = 0;
  EXPECT_THAT(Chain(false, out),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq("no value")));
  EXPECT_EQ(out, 0);
}

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(UniqueFdTest, OwnsClosesMovesAndReleases) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const int read_end = fds[0];
  const int write_end = fds[1];
  {
    UniqueFd owner(read_end);
    EXPECT_TRUE(owner.valid());
    UniqueFd moved(std::move(owner));
    EXPECT_FALSE(owner.valid());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(moved.get(), read_end);
    EXPECT_TRUE(IsOpen(read_end));
  }
  EXPECT_FALSE(IsOpen(read_end));  // closed by the destructor
  UniqueFd writer(write_end);
  const int released = writer.release();
  EXPECT_EQ(released, write_end);
  EXPECT_FALSE(writer.valid());
  EXPECT_TRUE(IsOpen(write_end));  // release does not close
  writer.reset(released);
  writer.reset();
  EXPECT_FALSE(IsOpen(write_end));
  EXPECT_FALSE(UniqueFd().valid());
}

TEST(LogTest, WritesOneLinePerMessageAtEnabledLevels) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  log::SetProgram("kekkai-test");
  log::SetFd(write_end.get());
  log::SetLevel(log::Level::kInfo);
  int evaluated = 0;
  auto count = [&]() { return ++evaluated; };
  KEKKAI_LOG(kWarning, "careful %d", 1);
  KEKKAI_LOG(kInfo, "mounting %s", "/usr");
  KEKKAI_LOG(kDebug, "hidden %d", count());  // not evaluated
  log::SetFd(2);
  log::SetLevel(log::Level::kWarning);
  char buf[256];
  const ssize_t n = read(read_end.get(), buf, sizeof(buf));
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)),
            "kekkai-test: warning: careful 1\nkekkai-test: mounting /usr\n");
  EXPECT_EQ(evaluated, 0);
  EXPECT_EQ(log::GetLevel(), log::Level::kWarning);
}

}  // namespace
}  // namespace kekkai
