// LinuxSys: the syscall seam on the real kernel. This is the only file that
// calls mount, umount2, pivot_root, capset, prctl and friends on behalf of
// kekkai-init; everything above it talks to a sys::Sys&.
//
// Every wrapper is thin: one call (EINTR retried where restartable), and on
// failure an ErrnoStatus naming the call and its arguments.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "common/sys/sys.h"
#include "seccomp/seccomp.h"

namespace kekkai::sys {
namespace {

// Not in Debian 12's headers.
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// statx, statmount and listmount (Linux 6.8) as of the kernel's
// include/uapi/linux/{stat,mount}.h; Debian 12's 6.1 headers have none of
// them.
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
constexpr long kSysStatmount = 457;
constexpr long kSysListmount = 458;
constexpr uint64_t kStatmountMntBasic = 0x00000002U;  // STATMOUNT_MNT_BASIC

// struct mnt_id_req, first version (MNT_ID_REQ_SIZE_VER0).
struct MntIdReq {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;  // statmount: what to fill in; listmount: last id seen
};
static_assert(sizeof(MntIdReq) == 24);

// The leading part of struct statmount, up to mnt_attr. The kernel fills
// in a whole struct statmount (512 bytes today, growing at its end), so
// the call gets a buffer of that size and this is copied out of it.
struct StatmountHead {
  uint32_t size;
  uint32_t mnt_opts;
  uint64_t mask;  // what the kernel filled in
  uint32_t sb_dev_major;
  uint32_t sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags;
  uint32_t fs_type;
  uint64_t mnt_id;
  uint64_t mnt_parent_id;
  uint32_t mnt_id_old;
  uint32_t mnt_parent_id_old;
  uint64_t mnt_attr;  // MOUNT_ATTR_*
};
static_assert(offsetof(StatmountHead, mnt_attr) == 64);
constexpr size_t kStatmountBufferSize = 512;

// MOUNT_ATTR_* (include/uapi/linux/mount.h).
constexpr uint64_t kAttrRdonly = 0x1;
constexpr uint64_t kAttrNosuid = 0x2;
constexpr uint64_t kAttrNodev = 0x4;
constexpr uint64_t kAttrNoexec = 0x8;
constexpr uint64_t kAttrAtimeMask = 0x70;
constexpr uint64_t kAttrRelatime = 0x00;
constexpr uint64_t kAttrNoatime = 0x10;
constexpr uint64_t kAttrNodiratime = 0x80;
constexpr uint64_t kAttrNosymfollow = 0x200000;
// MS_NOSYMFOLLOW is missing from Debian 12's glibc headers.
constexpr unsigned long kMsNoSymFollow = 256;

// A mount's MOUNT_ATTR_* as the MS_* flags MountInfoEntry::Flags() reads
// from the same mount's mountinfo line: both come from the mount's
// mnt_flags (mountinfo's "ro" is the mount's own read-only flag, not the
// superblock's, exactly like MOUNT_ATTR_RDONLY). A strictatime mount has
// no atime option in mountinfo, so it gets no atime bit here either; a
// remount without atime flags keeps the mount's atime setting.
unsigned long MountAttrToFlags(uint64_t attr) {
  unsigned long flags = 0;
  if (attr & kAttrRdonly) flags |= MS_RDONLY;
  if (attr & kAttrNosuid) flags |= MS_NOSUID;
  if (attr & kAttrNodev) flags |= MS_NODEV;
  if (attr & kAttrNoexec) flags |= MS_NOEXEC;
  if ((attr & kAttrAtimeMask) == kAttrRelatime) flags |= MS_RELATIME;
  if ((attr & kAttrAtimeMask) == kAttrNoatime) flags |= MS_NOATIME;
  if (attr & kAttrNodiratime) flags |= MS_NODIRATIME;
  if (attr & kAttrNosymfollow) flags |= kMsNoSymFollow;
  return flags;
}

// "\"/a b\"": paths in messages are quoted and C-escaped.
std::string Q(const std::string& s) {
  return absl::StrCat("\"", absl::CHexEscape(s), "\"");
}

const char* OrNull(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

template <typename F>
auto RetryEintr(F f) {
  decltype(f()) rc;
  do {
    rc = f();
  } while (rc == -1 && errno == EINTR);
  return rc;
}

FileType TypeOf(mode_t mode) {
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

// What the payload's child reports through its error pipe when it cannot
// reach execve.
struct ChildFailure {
  int step;  // 0 sigmask, 1 dup2, 2 chdir, 3 execve
  int err;
};

// Not instrumented either: it runs on PayloadChild's stack, and ASan's
// __asan_handle_no_return before _exit would print a warning about that
// stack on the payload's stderr.
[[noreturn]] __attribute__((no_sanitize_address)) void ChildFail(int pipe_fd,
                                                                 int step) {
  const ChildFailure failure{step, errno};
  ssize_t unused = write(pipe_fd, &failure, sizeof(failure));
  (void)unused;
  _exit(127);
}

// What the payload's child needs, prepared by StartProcess before clone.
struct PayloadPlan {
  const ExecSpec* spec;
  char* const* argv;
  char* const* envp;
  int pipe_fd;  // write end of the exec-status pipe (close-on-exec)
};

// The payload's child, between clone and execve. It shares init's memory
// (CLONE_VM | CLONE_VFORK: init waits, suspended, until the execve or the
// _exit), so it only makes raw calls and writes nothing but its own stack.
// Not instrumented: its stack is a private mapping, not one ASan knows.
__attribute__((no_sanitize_address)) int PayloadChild(void* arg) {
  const PayloadPlan& plan = *static_cast<const PayloadPlan*>(arg);
  const ExecSpec& spec = *plan.spec;
  sigset_t empty;
  sigemptyset(&empty);
  if (::sigprocmask(SIG_SETMASK, &empty, nullptr) != 0) {
    ChildFail(plan.pipe_fd, 0);
  }
  // Extra files move down to 3, 4, ...: each target is below its source
  // and above every source not yet moved, so ascending order never
  // overwrites a file still to be moved. dup2 clears FD_CLOEXEC on the
  // copies; init's originals are close-on-exec.
  for (int i = 0; i < spec.extra_count; ++i) {
    if (::dup2(spec.extra_first + i, 3 + i) < 0) ChildFail(plan.pipe_fd, 1);
  }
  if (::chdir(spec.dir.c_str()) != 0) ChildFail(plan.pipe_fd, 2);
  ::execve(spec.path.c_str(), plan.argv, plan.envp);
  ChildFail(plan.pipe_fd, 3);
}

// The child's stack: small, it runs three calls and execve.
constexpr size_t kPayloadChildStack = 64 * 1024;

class LinuxSysImpl final : public Sys {
 public:
  pid_t Getpid() override { return ::getpid(); }

  absl::Status SetPtracer(unsigned long pid) override {
    if (::prctl(PR_SET_PTRACER, pid, 0, 0, 0) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("prctl(PR_SET_PTRACER, %d)",
                                                pid));
    }
    return absl::OkStatus();
  }

  absl::Status SetDumpable(int value) override {
    if (::prctl(PR_SET_DUMPABLE, value, 0, 0, 0) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("prctl(PR_SET_DUMPABLE, %d)",
                                                value));
    }
    return absl::OkStatus();
  }

  mode_t Umask(mode_t mask) override { return ::umask(mask); }

  absl::Status Sethostname(const std::string& name) override {
    if (::sethostname(name.data(), name.size()) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("sethostname(%s)", Q(name)));
    }
    return absl::OkStatus();
  }

  absl::Status SetCloexec(int fd) override {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("fcntl(%d, F_SETFD, "
                                                "FD_CLOEXEC)",
                                                fd));
    }
    return absl::OkStatus();
  }

  absl::Status CloexecFrom(int first) override {
    if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U,
                  CLOSE_RANGE_CLOEXEC) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("close_range(%d, ~0U, "
                                                "CLOSE_RANGE_CLOEXEC)",
                                                first));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    KEKKAI_ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDONLY, 0));
    absl::StatusOr<std::string> data = ReadAll(fd.get(), kMaxReadFileSize);
    if (!data.ok()) return Annotate(data.status(), absl::StrCat("read ", Q(path)));
    return data;
  }

  absl::Status WriteFile(const std::string& path,
                         const std::string& data) override {
    KEKKAI_ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_WRONLY, 0));
    const ssize_t n =
        RetryEintr([&] { return ::write(fd.get(), data.data(), data.size()); });
    if (n < 0) {
      return ErrnoStatus(errno, absl::StrFormat("write(%s, %s)", Q(path),
                                                Q(data)));
    }
    if (static_cast<size_t>(n) != data.size()) {
      return ErrnoStatus(EIO, absl::StrFormat("write(%s, %s): short write of "
                                              "%d bytes",
                                              Q(path), Q(data), n));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadAll(int fd, size_t limit) override {
    std::string data;
    char buffer[16384];
    for (;;) {
      const ssize_t n =
          RetryEintr([&] { return ::read(fd, buffer, sizeof(buffer)); });
      if (n < 0) return ErrnoStatus(errno, absl::StrFormat("read(%d)", fd));
      if (n == 0) return data;
      if (data.size() + static_cast<size_t>(n) > limit) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "read(%d): more than %d bytes", fd, limit));
      }
      data.append(buffer, static_cast<size_t>(n));
    }
  }

  absl::Status WriteAll(int fd, const std::string& data) override {
    size_t done = 0;
    bool socket = true;
    while (done < data.size()) {
      ssize_t n;
      if (socket) {
        // MSG_NOSIGNAL: a launcher that went away must not raise SIGPIPE.
        n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) {
          socket = false;
          continue;
        }
      } else {
        n = ::write(fd, data.data() + done, data.size() - done);
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return ErrnoStatus(errno, absl::StrFormat("write(%d, %d bytes)", fd,
                                                  data.size()));
      }
      done += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<UniqueFd> Open(const std::string& path, int flags,
                                mode_t mode) override {
    const int fd = RetryEintr(
        [&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
    if (fd < 0) {
      return ErrnoStatus(errno, absl::StrFormat("open(%s, %#o, %#o)", Q(path),
                                                flags | O_CLOEXEC, mode));
    }
    return UniqueFd(fd);
  }

  absl::StatusOr<FileType> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("stat(%s)", Q(path)));
    }
    return TypeOf(st.st_mode);
  }

  absl::StatusOr<FileType> Lstat(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("lstat(%s)", Q(path)));
    }
    return TypeOf(st.st_mode);
  }

  absl::StatusOr<std::string> RealPath(const std::string& path) override {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
      return ErrnoStatus(errno, absl::StrFormat("realpath(%s)", Q(path)));
    }
    std::string out(resolved);
    ::free(resolved);
    return out;
  }

  absl::StatusOr<std::string> Readlink(const std::string& path) override {
    std::string buffer(256, '\0');
    for (;;) {
      const ssize_t n = ::readlink(path.c_str(), buffer.data(), buffer.size());
      if (n < 0) return ErrnoStatus(errno, absl::StrFormat("readlink(%s)", Q(path)));
      if (static_cast<size_t>(n) < buffer.size()) {
        buffer.resize(static_cast<size_t>(n));
        return buffer;
      }
      if (buffer.size() >= 1 << 20) {
        return ErrnoStatus(ENAMETOOLONG,
                           absl::StrFormat("readlink(%s)", Q(path)));
      }
      buffer.resize(buffer.size() * 4);
    }
  }

  absl::Status Mkdir(const std::string& path, mode_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("mkdir(%s, %#o)", Q(path), mode));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> MakeTempDir(const std::string& dir,
                                          const std::string& prefix) override {
    std::string tmpl = TempTemplate(dir, prefix);
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return ErrnoStatus(errno, absl::StrFormat("mkdtemp(%s)", Q(tmpl)));
    }
    return tmpl;
  }

  absl::StatusOr<TempFile> MakeTempFile(const std::string& dir,
                                        const std::string& prefix) override {
    std::string tmpl = TempTemplate(dir, prefix);
    const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) {
      return ErrnoStatus(errno, absl::StrFormat("mkostemp(%s)", Q(tmpl)));
    }
    return TempFile{UniqueFd(fd), std::move(tmpl)};
  }

  absl::Status Unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("unlink(%s)", Q(path)));
    }
    return absl::OkStatus();
  }

  absl::Status Symlink(const std::string& target,
                       const std::string& linkpath) override {
    if (::symlink(target.c_str(), linkpath.c_str()) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("symlink(%s, %s)", Q(target),
                                                Q(linkpath)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> ReadDir(
      const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
      return ErrnoStatus(errno, absl::StrFormat("opendir(%s)", Q(path)));
    }
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const struct dirent* entry = ::readdir(dir);
      if (entry == nullptr) break;
      const absl::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    const int err = errno;
    ::closedir(dir);
    if (err != 0) {
      return ErrnoStatus(err, absl::StrFormat("readdir(%s)", Q(path)));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  bool Isatty(int fd) override { return ::isatty(fd) == 1; }

  absl::Status Chdir(const std::string& path) override {
    if (::chdir(path.c_str()) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("chdir(%s)", Q(path)));
    }
    return absl::OkStatus();
  }

  absl::Status Fchdir(int fd) override {
    if (::fchdir(fd) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("fchdir(%d)", fd));
    }
    return absl::OkStatus();
  }

  absl::Status Mount(const std::string& source, const std::string& target,
                     const std::string& fstype, unsigned long flags,
                     const std::string& data) override {
    if (::mount(OrNull(source), target.c_str(), OrNull(fstype), flags,
                OrNull(data)) != 0) {
      const int err = errno;
      std::string what = absl::StrFormat(
          "mount(%s, %s, %s, %s, %s)", Q(source), Q(target), Q(fstype),
          MountFlagsToString(flags), Q(data));
      // ENOSPC from mount(2) is not about disk space (bubblewrap's hint).
      if (err == ENOSPC) {
        absl::StrAppend(&what, " (mount limit reached: check "
                               "/proc/sys/fs/mount-max)");
      }
      return ErrnoStatus(err, what);
    }
    return absl::OkStatus();
  }

  absl::Status Umount2(const std::string& target, int flags) override {
    if (::umount2(target.c_str(), flags) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("umount2(%s, %s)", Q(target),
                                                flags == MNT_DETACH
                                                    ? std::string("MNT_DETACH")
                                                    : absl::StrCat(flags)));
    }
    return absl::OkStatus();
  }

  absl::Status PivotRoot(const std::string& new_root,
                         const std::string& put_old) override {
    if (::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("pivot_root(%s, %s)",
                                                Q(new_root), Q(put_old)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<MountAttr> StatMount(const std::string& path) override {
    struct statx stx = {};
    if (::statx(AT_FDCWD, path.c_str(), AT_STATX_SYNC_AS_STAT,
                STATX_MNT_ID_UNIQUE, &stx) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("statx(%s, "
                                                "STATX_MNT_ID_UNIQUE)",
                                                Q(path)));
    }
    // A kernel before 6.8 answers with its old, reusable mount id (or none)
    // and leaves the bit out; one before 5.8 knows no STATX_ATTR_MOUNT_ROOT.
    if ((stx.stx_mask & STATX_MNT_ID_UNIQUE) == 0 ||
        (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0) {
      return ErrnoStatus(ENOSYS, absl::StrFormat("statx(%s, "
                                                 "STATX_MNT_ID_UNIQUE): no "
                                                 "unique mount ID",
                                                 Q(path)));
    }
    MountAttr attr;
    attr.is_mount_root = (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    const uint64_t id = stx.stx_mnt_id;

    MntIdReq request = {sizeof(MntIdReq), 0, id, kStatmountMntBasic};
    alignas(8) unsigned char buffer[kStatmountBufferSize] = {};
    if (::syscall(kSysStatmount, &request, buffer, sizeof(buffer), 0) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("statmount(mount %#x of %s, "
                                                "STATMOUNT_MNT_BASIC)",
                                                id, Q(path)));
    }
    StatmountHead head;
    ::memcpy(&head, buffer, sizeof(head));
    if ((head.mask & kStatmountMntBasic) == 0) {
      return ErrnoStatus(ENOSYS, absl::StrFormat("statmount(mount %#x of %s, "
                                                 "STATMOUNT_MNT_BASIC): not "
                                                 "filled in",
                                                 id, Q(path)));
    }
    attr.flags = MountAttrToFlags(head.mnt_attr);

    // Room for one child is enough to tell whether there is any.
    request = {sizeof(MntIdReq), 0, id, 0};
    uint64_t child = 0;
    const long children = ::syscall(kSysListmount, &request, &child, 1, 0);
    if (children < 0) {
      return ErrnoStatus(errno, absl::StrFormat("listmount(mount %#x of %s)",
                                                id, Q(path)));
    }
    attr.has_submounts = children > 0;
    return attr;
  }

  absl::Status CapAmbientClearAll() override {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
      return ErrnoStatus(errno,
                         "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
    }
    return absl::OkStatus();
  }

  absl::Status CapAmbientRaise(int cap) override {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("prctl(PR_CAP_AMBIENT, "
                                                "PR_CAP_AMBIENT_RAISE, %d)",
                                                cap));
    }
    return absl::OkStatus();
  }

  absl::Status CapBoundingSetDrop(int cap) override {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      return ErrnoStatus(errno,
                         absl::StrFormat("prctl(PR_CAPBSET_DROP, %d)", cap));
    }
    return absl::OkStatus();
  }

  absl::Status Capset(uint64_t effective, uint64_t permitted,
                      uint64_t inheritable) override {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {};
    for (int i = 0; i < 2; ++i) {
      data[i].effective = static_cast<uint32_t>(effective >> (32 * i));
      data[i].permitted = static_cast<uint32_t>(permitted >> (32 * i));
      data[i].inheritable = static_cast<uint32_t>(inheritable >> (32 * i));
    }
    if (::syscall(SYS_capset, &header, data) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("capset(effective %#x, "
                                                "permitted %#x, inheritable "
                                                "%#x)",
                                                effective, permitted,
                                                inheritable));
    }
    return absl::OkStatus();
  }

  absl::Status LoadSeccomp(const std::vector<NativeRule>& rules,
                           uint32_t flags) override {
    return seccomp::Load(rules, flags);
  }

  absl::Status BringUpLoopback() override {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      return ErrnoStatus(errno, "socket(AF_INET, SOCK_DGRAM)");
    }
    UniqueFd sock(fd);
    struct ifreq request = {};
    ::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &request) != 0) {
      return ErrnoStatus(errno, "ioctl(SIOCGIFFLAGS, \"lo\")");
    }
    if (request.ifr_flags & IFF_UP) return absl::OkStatus();
    request.ifr_flags |= IFF_UP;
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &request) != 0) {
      return ErrnoStatus(errno, "ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP)");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<pid_t> StartProcess(const ExecSpec& spec) override {
    // Everything the child needs is prepared before clone: the child only
    // makes raw calls (init is single-threaded, but the child should not
    // depend on that).
    std::vector<char*> argv;
    argv.reserve(spec.argv.size() + 1);
    for (const std::string& arg : spec.argv) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(spec.envp.size() + 1);
    for (const std::string& var : spec.envp) {
      envp.push_back(const_cast<char*>(var.c_str()));
    }
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      return ErrnoStatus(errno, "pipe2(O_CLOEXEC)");
    }
    UniqueFd read_end(pipe_fds[0]);
    UniqueFd write_end(pipe_fds[1]);

    // CLONE_VM | CLONE_VFORK rather than fork(): nothing of init's address
    // space is copied (fork's page-table copy and the copy-on-write faults
    // after it were a tenth of init's CPU time), and init resumes once the
    // payload has exec'd or failed, exactly what the pipe read waits for.
    void* stack = ::mmap(nullptr, kPayloadChildStack, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
      return ErrnoStatus(errno, "mmap(the payload's clone stack)");
    }
    const PayloadPlan plan{&spec, argv.data(), envp.data(), write_end.get()};
    const pid_t pid = ::clone(
        PayloadChild, static_cast<char*>(stack) + kPayloadChildStack,
        CLONE_VM | CLONE_VFORK | SIGCHLD, const_cast<PayloadPlan*>(&plan));
    const int clone_errno = errno;
    ::munmap(stack, kPayloadChildStack);
    if (pid < 0) {
      return ErrnoStatus(clone_errno, "clone(CLONE_VM|CLONE_VFORK)");
    }
    write_end.reset();
    ChildFailure failure{};
    const ssize_t n = RetryEintr(
        [&] { return ::read(read_end.get(), &failure, sizeof(failure)); });
    if (n == 0) return pid;  // the pipe closed at a successful execve
    int status = 0;
    RetryEintr([&] { return ::waitpid(pid, &status, 0); });
    if (n != static_cast<ssize_t>(sizeof(failure))) {
      return ErrnoStatus(n < 0 ? errno : EIO,
                         "read the payload's exec status");
    }
    switch (failure.step) {
      case 0:
        return ExecFailure(ExecStep::kSigmask, failure.err,
                           "sigprocmask(SIG_SETMASK, {})");
      case 1:
        return ExecFailure(
            ExecStep::kDup2, failure.err,
            absl::StrFormat("dup2 of the extra files %d..%d to 3..",
                            spec.extra_first,
                            spec.extra_first + spec.extra_count - 1));
      case 2:
        return ExecFailure(ExecStep::kChdir, failure.err,
                           absl::StrFormat("chdir(%s)", Q(spec.dir)));
      default:
        return ExecFailure(ExecStep::kExecve, failure.err,
                           absl::StrFormat("execve(%s)", Q(spec.path)));
    }
  }

  absl::StatusOr<UniqueFd> SignalFd(const std::vector<int>& signals) override {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : signals) sigaddset(&set, sig);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
      return ErrnoStatus(errno, "sigprocmask(SIG_BLOCK)");
    }
    const int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) return ErrnoStatus(errno, "signalfd()");
    return UniqueFd(fd);
  }

  absl::StatusOr<int> ReadSignal(int signal_fd, int64_t timeout_ms) override {
    struct pollfd pfd = {signal_fd, POLLIN, 0};
    const int timeout = timeout_ms < 0 ? -1
                        : timeout_ms > 0x7fffffff
                            ? 0x7fffffff
                            : static_cast<int>(timeout_ms);
    const int ready = ::poll(&pfd, 1, timeout);
    if (ready < 0) {
      if (errno == EINTR) return 0;  // the caller re-checks its clock
      return ErrnoStatus(errno, "poll(signalfd)");
    }
    if (ready == 0) return 0;
    struct signalfd_siginfo info;
    const ssize_t n = ::read(signal_fd, &info, sizeof(info));
    if (n < 0) {
      // Another read drained it (or a spurious wake-up): no signal yet.
      if (errno == EAGAIN || errno == EINTR) return 0;
      return ErrnoStatus(errno, "read(signalfd)");
    }
    if (n != static_cast<ssize_t>(sizeof(info))) {
      return ErrnoStatus(EIO, "read(signalfd): short read");
    }
    return static_cast<int>(info.ssi_signo);
  }

  absl::StatusOr<ChildWait> WaitAnyChild() override {
    int status = 0;
    const pid_t pid =
        RetryEintr([&] { return ::waitpid(-1, &status, WNOHANG); });
    if (pid < 0) {
      if (errno == ECHILD) return ChildWait{-1, 0};
      return ErrnoStatus(errno, "waitpid(-1, WNOHANG)");
    }
    return ChildWait{pid, status};
  }

  absl::Status Kill(pid_t pid, int sig) override {
    if (::kill(pid, sig) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("kill(%d, %s)", pid,
                                                sigabbrev_np(sig)
                                                    ? absl::StrCat(
                                                          "SIG",
                                                          sigabbrev_np(sig))
                                                    : absl::StrCat(sig)));
    }
    return absl::OkStatus();
  }

  int64_t MonotonicNanos() override {
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
  }

  absl::Status MkdirAll(const std::string& path, mode_t perm) override {
    return MkdirAllVia(*this, path, perm);
  }
  absl::Status EnsureFile(const std::string& path, mode_t perm,
                          mode_t parent_perm) override {
    return EnsureFileVia(*this, path, perm, parent_perm);
  }
  absl::Status BindMount(const std::string& source, const std::string& target,
                         unsigned long flags) override {
    return BindMountVia(*this, source, target, flags);
  }
  absl::Status Remount(const std::string& target,
                       unsigned long flags) override {
    return RemountVia(*this, target, flags);
  }
  absl::Status MountTmpfs(const std::string& fsname, const std::string& target,
                          unsigned long flags, int64_t size,
                          uint32_t perm) override {
    return MountTmpfsVia(*this, fsname, target, flags, size, perm);
  }

 private:
  static std::string TempTemplate(const std::string& dir,
                                  const std::string& prefix) {
    return absl::StrCat(dir == "/" ? "" : dir, "/", prefix, "XXXXXX");
  }
};

}  // namespace

Sys& LinuxSys() {
  static LinuxSysImpl* const sys = new LinuxSysImpl();
  return *sys;
}

}  // namespace kekkai::sys
