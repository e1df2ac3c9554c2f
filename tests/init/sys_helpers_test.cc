// The seam's composite helpers (common/sys/sys.cc), scripted against the
// raw calls: hakurei's mount_test.go and path tests.
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/sys/sys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/init/mock_sys.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::_;
using ::testing::ByMove;
using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;

constexpr unsigned long kRemountBase = MS_SILENT | MS_BIND | MS_REMOUNT;

absl::Status Enoent() { return ErrnoStatus(ENOENT, "stat"); }

TEST(MountFlagsToStringTest, NamesBitsAndKeepsTheRest) {
  EXPECT_EQ(sys::MountFlagsToString(0), "0");
  EXPECT_EQ(sys::MountFlagsToString(MS_BIND | MS_REC), "MS_BIND|MS_REC");
  EXPECT_EQ(sys::MountFlagsToString(MS_RDONLY | (1ul << 40)),
            "MS_RDONLY|0x10000000000");
}

TEST(ParentPermForTest, ClearsGroupAndOtherLikeBubblewrap) {
  EXPECT_EQ(sys::ParentPermFor(0755), 0755u);
  EXPECT_EQ(sys::ParentPermFor(01777), 0755u);
  EXPECT_EQ(sys::ParentPermFor(0700), 0700u);
  EXPECT_EQ(sys::ParentPermFor(0750), 0750u);
  EXPECT_EQ(sys::ParentPermFor(0705), 0705u);
}

TEST(DirNameTest, IsGoPathDir) {
  EXPECT_EQ(sys::DirName("/a/b"), "/a");
  EXPECT_EQ(sys::DirName("/a/b/"), "/a");
  EXPECT_EQ(sys::DirName("/a"), "/");
  EXPECT_EQ(sys::DirName("/"), "/");
}

// ---- MkdirAllVia -----------------------------------------------------

TEST(MkdirAllTest, ExistingDirectoryIsDone) {
  StrictMockSys sys;
  EXPECT_CALL(sys, Stat("/sysroot/a")).WillOnce(Return(sys::FileType::kDirectory));
  EXPECT_THAT(sys::MkdirAllVia(sys, "/sysroot/a/", 0700), IsOk());
}

TEST(MkdirAllTest, CreatesMissingParentsTopDown) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, Stat("/s/a/b")).WillOnce(Return(Enoent()));
  EXPECT_CALL(sys, Stat("/s/a")).WillOnce(Return(Enoent()));
  EXPECT_CALL(sys, Stat("/s")).WillOnce(Return(sys::FileType::kDirectory));
  EXPECT_CALL(sys, Mkdir("/s/a", 0750)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mkdir("/s/a/b", 0750)).WillOnce(Return(absl::OkStatus()));
  EXPECT_THAT(sys::MkdirAllVia(sys, "/s/a/b", 0750), IsOk());
}

TEST(MkdirAllTest, ExistingNonDirectoryIsENOTDIR) {
  StrictMockSys sys;
  EXPECT_CALL(sys, Stat("/s/f")).WillOnce(Return(sys::FileType::kRegular));
  const absl::Status status = sys::MkdirAllVia(sys, "/s/f", 0755);
  EXPECT_EQ(GetErrno(status), ENOTDIR);
  EXPECT_THAT(status.message(), HasSubstr("mkdir(\"/s/f\")"));
}

TEST(MkdirAllTest, ErrorsComeBackUnchanged) {
  {
    StrictMockSys sys;
    const absl::Status injected = Injected(1, EACCES);
    EXPECT_CALL(sys, Stat("/s/a")).WillOnce(Return(injected));
    EXPECT_EQ(sys::MkdirAllVia(sys, "/s/a", 0755), injected);
  }
  {
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(2);
    EXPECT_CALL(sys, Stat("/s/a")).WillOnce(Return(Enoent()));
    EXPECT_CALL(sys, Stat("/s")).WillOnce(Return(sys::FileType::kDirectory));
    EXPECT_CALL(sys, Mkdir("/s/a", 0755)).WillOnce(Return(injected));
    EXPECT_EQ(sys::MkdirAllVia(sys, "/s/a", 0755), injected);
  }
}

TEST(MkdirAllTest, LosingARaceToADirectoryIsFine) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, Stat("/s/a")).WillOnce(Return(Enoent()));
  EXPECT_CALL(sys, Stat("/s")).WillOnce(Return(sys::FileType::kDirectory));
  EXPECT_CALL(sys, Mkdir("/s/a", 0755))
      .WillOnce(Return(ErrnoStatus(EEXIST, "mkdir")));
  EXPECT_CALL(sys, Lstat("/s/a")).WillOnce(Return(sys::FileType::kDirectory));
  EXPECT_THAT(sys::MkdirAllVia(sys, "/s/a", 0755), IsOk());
}

TEST(MkdirAllTest, EexistOnANonDirectoryIsReturned) {
  StrictMockSys sys;
  InSequence seq;
  const absl::Status eexist = ErrnoStatus(EEXIST, "mkdir");
  EXPECT_CALL(sys, Stat("/s/a")).WillOnce(Return(Enoent()));
  EXPECT_CALL(sys, Stat("/s")).WillOnce(Return(sys::FileType::kDirectory));
  EXPECT_CALL(sys, Mkdir("/s/a", 0755)).WillOnce(Return(eexist));
  EXPECT_CALL(sys, Lstat("/s/a")).WillOnce(Return(sys::FileType::kSymlink));
  EXPECT_EQ(sys::MkdirAllVia(sys, "/s/a", 0755), eexist);
}

// ---- EnsureFileVia ---------------------------------------------------

TEST(EnsureFileTest, ExistingFileIsKept) {
  StrictMockSys sys;
  EXPECT_CALL(sys, Stat("/s/f")).WillOnce(Return(sys::FileType::kOther));
  EXPECT_THAT(sys::EnsureFileVia(sys, "/s/f", 0444, 0700), IsOk());
}

TEST(EnsureFileTest, ExistingDirectoryIsEISDIR) {
  StrictMockSys sys;
  EXPECT_CALL(sys, Stat("/s/d")).WillOnce(Return(sys::FileType::kDirectory));
  const absl::Status status = sys::EnsureFileVia(sys, "/s/d", 0444, 0700);
  EXPECT_EQ(GetErrno(status), EISDIR);
}

TEST(EnsureFileTest, MissingFileIsCreatedExclusivelyAfterItsParents) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, Stat("/s/a/f")).WillOnce(Return(Enoent()));
  EXPECT_CALL(sys, MkdirAll("/s/a", 0750)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Open("/s/a/f", O_CREAT | O_EXCL | O_WRONLY, 0444))
      .WillOnce(Return(ByMove(NullFd())));
  EXPECT_THAT(sys::EnsureFileVia(sys, "/s/a/f", 0444, 0750), IsOk());
}

TEST(EnsureFileTest, ErrorsComeBackUnchanged) {
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE(k);
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(k + 1);
    EXPECT_CALL(sys, Stat("/s/f"))
        .WillOnce(Return(k == 0 ? injected : Enoent()));
    if (k >= 1) {
      EXPECT_CALL(sys, MkdirAll("/s", 0700))
          .WillOnce(Return(k == 1 ? injected : absl::OkStatus()));
    }
    if (k >= 2) {
      EXPECT_CALL(sys, Open("/s/f", _, 0444)).WillOnce(Return(injected));
    }
    EXPECT_EQ(sys::EnsureFileVia(sys, "/s/f", 0444, 0700), injected);
  }
}

// ---- BindMountVia ------------------------------------------------------

TEST(BindMountTest, BindsThenRemountsWithTheFlags) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, Mount("/host/usr", "/sysroot/usr", "",
                         MS_SILENT | MS_BIND | MS_REC, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Remount("/sysroot/usr", MS_REC | MS_RDONLY | MS_NODEV))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_THAT(sys::BindMountVia(sys, "/host/usr", "/sysroot/usr",
                                MS_REC | MS_RDONLY | MS_NODEV),
              IsOk());
}

TEST(BindMountTest, NonRecursiveBindAndErrorsUnchanged) {
  {
    StrictMockSys sys;
    const absl::Status injected = Injected(1);
    EXPECT_CALL(sys, Mount("/a", "/b", "", MS_SILENT | MS_BIND, ""))
        .WillOnce(Return(injected));
    EXPECT_EQ(sys::BindMountVia(sys, "/a", "/b", MS_RDONLY), injected);
  }
  {
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(2);
    EXPECT_CALL(sys, Mount("/a", "/b", "", MS_SILENT | MS_BIND, ""))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Remount("/b", 0)).WillOnce(Return(injected));
    EXPECT_EQ(sys::BindMountVia(sys, "/a", "/b", 0), injected);
  }
}

// ---- RemountVia ----------------------------------------------------------

constexpr char kMountinfo[] =
    "1 0 0:1 / / rw - tmpfs rootfs rw\n"
    "2 1 0:2 / /sysroot rw - tmpfs rootfs rw\n"
    "3 2 8:1 /usr /sysroot/usr rw,nosuid,relatime - ext4 /dev/sda rw\n"
    "4 3 0:5 / /sysroot/usr/lib/x rw,noatime - tmpfs x rw\n"
    "5 3 0:6 / /sysroot/usr/ok ro,nosuid,nodev - tmpfs y rw\n"
    "6 1 0:7 / /host rw - ext4 /dev/sdb rw\n";

// StatMount answers that send RemountVia to the mountinfo path.
absl::StatusOr<sys::MountAttr> OldKernel() {
  return ErrnoStatus(ENOSYS, "statx(STATX_MNT_ID_UNIQUE)");
}
absl::StatusOr<sys::MountAttr> NotAMountRoot() {
  return sys::MountAttr{false, MS_NOSUID | MS_RELATIME, false};
}
absl::StatusOr<sys::MountAttr> WithSubmounts() {
  return sys::MountAttr{true, MS_NOSUID | MS_RELATIME, true};
}

// Scripts the lookup part of a remount of `target` (resolving to
// /sysroot/usr) that StatMount sent to the mountinfo path.
void ExpectLookup(MockSys& sys, const std::string& target,
                  absl::StatusOr<sys::MountAttr> stat_mount) {
  UniqueFd fd = NullFd();
  const int number = fd.get();
  EXPECT_CALL(sys, StatMount(target)).WillOnce(Return(stat_mount));
  EXPECT_CALL(sys, RealPath(target)).WillOnce(Return("/sysroot/usr"));
  EXPECT_CALL(sys, Open("/sysroot/usr", O_PATH, 0))
      .WillOnce(Return(ByMove(std::move(fd))));
  EXPECT_CALL(sys, Readlink(absl::StrCat("/host/proc/self/fd/", number)))
      .WillOnce(Return("/sysroot/usr"));
  EXPECT_CALL(sys, ReadFile("/host/proc/self/mountinfo"))
      .WillOnce(Return(kMountinfo));
}

TEST(RemountTest, AddsWantedFlagsToTheTargetAndVisibleSubmounts) {
  StrictMockSys sys;
  InSequence seq;
  ExpectLookup(sys, "/sysroot/usr-link", WithSubmounts());
  EXPECT_CALL(sys, Mount("none", "/sysroot/usr", "",
                         kRemountBase | MS_NOSUID | MS_RELATIME | MS_RDONLY |
                             MS_NODEV,
                         ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("none", "/sysroot/usr/lib/x", "",
                         kRemountBase | MS_NOATIME | MS_NOSUID | MS_RDONLY |
                             MS_NODEV,
                         ""))
      .WillOnce(Return(absl::OkStatus()));
  // /sysroot/usr/ok already has all three: left alone.
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr-link",
                              MS_REC | MS_RDONLY | MS_NODEV),
              IsOk());
}

TEST(RemountTest, WithoutRecOnlyTheTarget) {
  StrictMockSys sys;
  InSequence seq;
  ExpectLookup(sys, "/sysroot/usr", OldKernel());
  EXPECT_CALL(sys, Mount("none", "/sysroot/usr", "",
                         kRemountBase | MS_NOSUID | MS_RELATIME | MS_RDONLY,
                         ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr", MS_RDONLY), IsOk());
}

TEST(RemountTest, NothingMissingMeansNoMount) {
  StrictMockSys sys;
  InSequence seq;
  ExpectLookup(sys, "/sysroot/usr", OldKernel());
  // nosuid is all that is wanted and it is there; other flags are ignored.
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr", MS_NOEXEC), IsOk());
}

TEST(RemountTest, EaccesOnASubmountIsIgnoredButNotOnTheTarget) {
  {
    StrictMockSys sys;
    InSequence seq;
    ExpectLookup(sys, "/sysroot/usr", WithSubmounts());
    EXPECT_CALL(sys, Mount("none", "/sysroot/usr", "", _, ""))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("none", "/sysroot/usr/lib/x", "", _, ""))
        .WillOnce(Return(ErrnoStatus(EACCES, "mount")));
    EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr", MS_REC | MS_RDONLY),
                IsOk());
  }
  {
    StrictMockSys sys;
    InSequence seq;
    const absl::Status eacces = ErrnoStatus(EACCES, "mount");
    ExpectLookup(sys, "/sysroot/usr", WithSubmounts());
    EXPECT_CALL(sys, Mount("none", "/sysroot/usr", "", _, ""))
        .WillOnce(Return(eacces));
    EXPECT_EQ(sys::RemountVia(sys, "/sysroot/usr", MS_REC | MS_RDONLY), eacces);
  }
  {
    StrictMockSys sys;
    InSequence seq;
    const absl::Status eperm = Injected(7);
    ExpectLookup(sys, "/sysroot/usr", WithSubmounts());
    EXPECT_CALL(sys, Mount("none", "/sysroot/usr", "", _, ""))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("none", "/sysroot/usr/lib/x", "", _, ""))
        .WillOnce(Return(eperm));
    EXPECT_EQ(sys::RemountVia(sys, "/sysroot/usr", MS_REC | MS_RDONLY), eperm);
  }
}

TEST(RemountTest, LookupErrorsComeBackUnchanged) {
  for (int k = 0; k < 4; ++k) {
    SCOPED_TRACE(k);
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(k + 1);
    EXPECT_CALL(sys, StatMount("/t")).WillOnce(Return(OldKernel()));
    EXPECT_CALL(sys, RealPath("/t"))
        .WillOnce(k == 0 ? Return(absl::StatusOr<std::string>(injected))
                         : Return(absl::StatusOr<std::string>("/t")));
    if (k >= 1) {
      UniqueFd fd = NullFd();
      const int number = fd.get();
      if (k == 1) {
        EXPECT_CALL(sys, Open("/t", O_PATH, 0)).WillOnce(Return(injected));
      } else {
        EXPECT_CALL(sys, Open("/t", O_PATH, 0))
            .WillOnce(Return(ByMove(std::move(fd))));
        EXPECT_CALL(sys, Readlink(absl::StrCat("/host/proc/self/fd/", number)))
            .WillOnce(k == 2 ? Return(absl::StatusOr<std::string>(injected))
                             : Return(absl::StatusOr<std::string>("/t")));
      }
    }
    if (k >= 3) {
      EXPECT_CALL(sys, ReadFile("/host/proc/self/mountinfo"))
          .WillOnce(Return(injected));
    }
    EXPECT_EQ(sys::RemountVia(sys, "/t", 0), injected);
  }
}

TEST(RemountTest, BadMountinfoAndMissingMountPointAreNamed) {
  {
    StrictMockSys sys;
    InSequence seq;
    UniqueFd fd = NullFd();
    EXPECT_CALL(sys, StatMount("/t")).WillOnce(Return(OldKernel()));
    EXPECT_CALL(sys, RealPath("/t")).WillOnce(Return("/t"));
    EXPECT_CALL(sys, Open("/t", O_PATH, 0)).WillOnce(Return(ByMove(std::move(fd))));
    EXPECT_CALL(sys, Readlink(_)).WillOnce(Return("/t"));
    EXPECT_CALL(sys, ReadFile(_)).WillOnce(Return("garbage\n"));
    EXPECT_THAT(sys::RemountVia(sys, "/t", 0),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("/host/proc/self/mountinfo: mountinfo line 1")));
  }
  {
    StrictMockSys sys;
    InSequence seq;
    UniqueFd fd = NullFd();
    // Not a mount point: the mountinfo path names the problem.
    EXPECT_CALL(sys, StatMount("/t")).WillOnce(Return(NotAMountRoot()));
    EXPECT_CALL(sys, RealPath("/t")).WillOnce(Return("/t"));
    EXPECT_CALL(sys, Open("/t", O_PATH, 0)).WillOnce(Return(ByMove(std::move(fd))));
    EXPECT_CALL(sys, Readlink(_)).WillOnce(Return("/t"));
    EXPECT_CALL(sys, ReadFile(_)).WillOnce(Return(kMountinfo));
    EXPECT_THAT(sys::RemountVia(sys, "/t", 0),
                StatusIs(absl::StatusCode::kNotFound,
                         HasSubstr("mount point /t never appeared")));
  }
}

// The fast path: StatMount says `target` is a mount root with nothing to
// recurse into, so that one mount is remounted without mountinfo. Scripts
// StatMount's `attr` and the one remount, which is answered with `result`.
void ExpectFastRemount(MockSys& sys, const std::string& target,
                       const sys::MountAttr& attr, unsigned long mount_flags,
                       const absl::Status& result = absl::OkStatus()) {
  EXPECT_CALL(sys, StatMount(target)).WillOnce(Return(attr));
  EXPECT_CALL(sys, Mount("none", target, "", kRemountBase | mount_flags, ""))
      .WillOnce(Return(result));
}

TEST(RemountFastTest, AddsTheMissingFlagsToTheMountsOwn) {
  StrictMockSys sys;
  InSequence seq;
  // Without MS_REC, submounts do not matter.
  ExpectFastRemount(sys, "/sysroot/usr", {true, MS_NOEXEC | MS_NOATIME, true},
                    MS_NOEXEC | MS_NOATIME | MS_NOSUID | MS_RDONLY | MS_NODEV);
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr", MS_RDONLY | MS_NODEV),
              IsOk());
}

TEST(RemountFastTest, NothingMissingMeansNoMount) {
  StrictMockSys sys;
  InSequence seq;
  // Only MS_NOSUID|MS_RDONLY are wanted (MS_NOEXEC is never added).
  EXPECT_CALL(sys, StatMount("/sysroot/usr"))
      .WillOnce(Return(
          sys::MountAttr{true, MS_RDONLY | MS_NOSUID | MS_RELATIME, false}));
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr", MS_RDONLY | MS_NOEXEC),
              IsOk());
}

TEST(RemountFastTest, RecursiveWithoutSubmountsTakesTheFastPath) {
  StrictMockSys sys;
  InSequence seq;
  ExpectFastRemount(sys, "/sysroot/usr-link", {true, MS_RELATIME, false},
                    MS_RELATIME | MS_NOSUID | MS_RDONLY);
  EXPECT_THAT(sys::RemountVia(sys, "/sysroot/usr-link", MS_REC | MS_RDONLY),
              IsOk());
}

TEST(RemountFastTest, TheMountErrorComesBackUnchanged) {
  // EACCES too: only a submount's EACCES is forgiven, and there is none.
  for (const absl::Status& injected :
       {Injected(1), ErrnoStatus(EACCES, "mount")}) {
    SCOPED_TRACE(injected.ToString());
    StrictMockSys sys;
    InSequence seq;
    ExpectFastRemount(sys, "/t", {true, 0, false}, MS_NOSUID, injected);
    EXPECT_EQ(sys::RemountVia(sys, "/t", MS_REC), injected);
  }
}

// ---- MountTmpfsVia -------------------------------------------------------

TEST(MountTmpfsTest, CreatesTheTargetAndMountsWithModeAndSize) {
  StrictMockSys sys;
  InSequence seq;
  EXPECT_CALL(sys, MkdirAll("/sysroot/tmp", 0755))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("ephemeral", "/sysroot/tmp", "tmpfs",
                         MS_NOSUID | MS_NODEV, "mode=01777,size=8192"))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_THAT(sys::MountTmpfsVia(sys, "ephemeral", "/sysroot/tmp",
                                 MS_NOSUID | MS_NODEV, 8192, 01777),
              IsOk());
}

TEST(MountTmpfsTest, ParentPermFollowsModeAndErrorsComeBackUnchanged) {
  {
    StrictMockSys sys;
    InSequence seq;
    EXPECT_CALL(sys, MkdirAll("/s/t", 0700)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("x", "/s/t", "tmpfs", 0, "mode=0700"))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_THAT(sys::MountTmpfsVia(sys, "x", "/s/t", 0, 0, 0700), IsOk());
  }
  {
    StrictMockSys sys;
    const absl::Status injected = Injected(1);
    EXPECT_CALL(sys, MkdirAll("/s/t", 0755)).WillOnce(Return(injected));
    EXPECT_EQ(sys::MountTmpfsVia(sys, "x", "/s/t", 0, 0, 0755), injected);
  }
  {
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(2);
    EXPECT_CALL(sys, MkdirAll("/s/t", 0700)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("x", "/s/t", "tmpfs", 0, "mode=0"))
        .WillOnce(Return(injected));
    EXPECT_EQ(sys::MountTmpfsVia(sys, "x", "/s/t", 0, 0, 0), injected);
  }
}

// ---- ExecFailure -----------------------------------------------------------

TEST(ExecFailureTest, CarriesTheStep) {
  const absl::Status status =
      sys::ExecFailure(sys::ExecStep::kChdir, ENOENT, "chdir(\"/x\")");
  EXPECT_EQ(GetErrno(status), ENOENT);
  EXPECT_EQ(sys::ExecFailureStep(status), sys::ExecStep::kChdir);
  EXPECT_EQ(sys::ExecFailureStep(Injected(1)), std::nullopt);
}

}  // namespace
}  // namespace kekkai::testing
