// The syscall seam: every kernel call kekkai-init and its ops make goes
// through a kekkai::sys::Sys&, so unit tests can script the exact calls with
// a StrictMock and inject a failure at every step (STYLE.md §4.4, hakurei's
// syscallDispatcher).
//
// Two levels, as in hakurei's dispatcher:
//   * raw calls (Mount, PivotRoot, Mkdir, Stat, ...): thin, policy-free
//     wrappers that retry EINTR where the call is restartable and return
//     ErrnoStatus with the call and its arguments spelled out
//     (`mount("proc", "/sysroot/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC,
//     ""): Operation not permitted [EPERM]`);
//   * composite helpers (BindMount, Remount, MountTmpfs, EnsureFile,
//     MkdirAll): an op test expects one call; the helpers themselves are
//     written once, against the raw calls of any Sys (the *Via functions
//     below), and tested by scripting those raw calls.
//
// LinuxSys() (linux_sys.cc) is the one implementation that touches the
// kernel; it is the only file that calls mount, pivot_root, umount2 and
// friends. tests/init/mock_sys.h is the GoogleMock implementation.
//
// Where this sits: kekkai-init (init/) is the user. It runs single-threaded,
// so nothing here is async-signal-safe unless said so.
#ifndef KEKKAI_COMMON_SYS_SYS_H_
#define KEKKAI_COMMON_SYS_SYS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/params.h"
#include "common/unique_fd.h"

namespace kekkai::sys {

// What stat(2) says a path is (symlinks followed).
enum class FileType : uint8_t {
  kDirectory = 0,
  kRegular = 1,
  kSymlink = 2,  // only from Lstat
  kOther = 3,    // devices, fifos, sockets
};

// A file made by MakeTempFile: the open fd and its path.
struct TempFile {
  UniqueFd fd;
  std::string path;
};

// One waitpid(-1, WNOHANG) answer.
struct ChildWait {
  // > 0: that child was reaped with `status`; 0: children exist but none has
  // changed state; -1: there are no children left (ECHILD).
  pid_t pid = 0;
  int status = 0;
};

// How to start the payload (StartProcess).
struct ExecSpec {
  std::string path;               // absolute; not looked up in PATH
  std::vector<std::string> argv;  // exactly argv (may be empty)
  std::vector<std::string> envp;  // exactly the environment (may be empty)
  std::string dir;                // chdir here before execve
  // The caller's extra files are open in init at fds
  // [extra_first, extra_first + extra_count); the child moves them to
  // 3, 4, ... in order (extra_first must be above 3).
  int extra_first = 4;
  int extra_count = 0;
};

// Where StartProcess's child failed (ExecFailureStep()).
enum class ExecStep : uint8_t {
  kSigmask = 0,  // resetting the signal mask
  kDup2 = 1,     // moving the extra files to 3..
  kChdir = 2,    // entering ExecSpec::dir
  kExecve = 3,   // executing ExecSpec::path
};

// The status StartProcess returns when its child fails at `step` with
// errno `err` (ErrnoStatus(err, what) plus the step as a payload).
absl::Status ExecFailure(ExecStep step, int err, const std::string& what);
// The step of an ExecFailure() status; nullopt for any other status.
std::optional<ExecStep> ExecFailureStep(const absl::Status& status);

// What the kernel says about the mount a path is on (StatMount).
struct MountAttr {
  bool is_mount_root = false;  // the path is the root of that mount
  unsigned long flags = 0;     // that mount's own MS_* flags
  bool has_submounts = false;  // any mount has it as parent
};

// Upper bound for ReadFile: mountinfo of a busy host is the largest thing
// init reads (a few hundred KiB); anything beyond this is an error.
inline constexpr size_t kMaxReadFileSize = 64 * 1024 * 1024;

// /proc/self of the host's proc, as seen from the intermediate root (after
// the first pivot_root the host root is at /host). Remount reads
// fd/N and mountinfo there, as hakurei's hostProc does.
inline constexpr char kHostProcSelf[] = "/host/proc/self";

class Sys {
 public:
  virtual ~Sys() = default;

  // ---- process state ----------------------------------------------------
  virtual pid_t Getpid() = 0;
  // prctl(PR_SET_PTRACER, pid) (Yama).
  virtual absl::Status SetPtracer(unsigned long pid) = 0;
  // prctl(PR_SET_DUMPABLE, value).
  virtual absl::Status SetDumpable(int value) = 0;
  // umask(2); returns the previous mask (cannot fail).
  virtual mode_t Umask(mode_t mask) = 0;
  virtual absl::Status Sethostname(const std::string& name) = 0;
  // Sets FD_CLOEXEC on `fd` (fails with EBADF when it is not open).
  virtual absl::Status SetCloexec(int fd) = 0;
  // close_range(first, ~0U, CLOSE_RANGE_CLOEXEC): every fd from `first` up
  // is closed at the next execve.
  virtual absl::Status CloexecFrom(int first) = 0;

  // ---- files ------------------------------------------------------------
  // Reads a whole file (at most kMaxReadFileSize bytes).
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;
  // Writes `data` to an existing file in one write(2) (proc files such as
  // uid_map must be written in one go); O_WRONLY, no O_CREAT, no O_TRUNC.
  virtual absl::Status WriteFile(const std::string& path,
                                 const std::string& data) = 0;
  // Reads `fd` to end of file; more than `limit` bytes is an error.
  virtual absl::StatusOr<std::string> ReadAll(int fd, size_t limit) = 0;
  // Writes all of `data` to `fd` (MSG_NOSIGNAL on sockets).
  virtual absl::Status WriteAll(int fd, const std::string& data) = 0;
  // open(2); O_CLOEXEC is always added.
  virtual absl::StatusOr<UniqueFd> Open(const std::string& path, int flags,
                                        mode_t mode) = 0;
  virtual absl::StatusOr<FileType> Stat(const std::string& path) = 0;
  virtual absl::StatusOr<FileType> Lstat(const std::string& path) = 0;
  // realpath(3): every symlink resolved; ENOENT when the path does not exist.
  virtual absl::StatusOr<std::string> RealPath(const std::string& path) = 0;
  virtual absl::StatusOr<std::string> Readlink(const std::string& path) = 0;
  virtual absl::Status Mkdir(const std::string& path, mode_t mode) = 0;
  // mkdtemp(3) on `dir` + "/" + `prefix` + "XXXXXX"; returns the path.
  virtual absl::StatusOr<std::string> MakeTempDir(const std::string& dir,
                                                  const std::string& prefix) = 0;
  // mkostemp(3) (mode 0600, O_CLOEXEC) likewise.
  virtual absl::StatusOr<TempFile> MakeTempFile(const std::string& dir,
                                                const std::string& prefix) = 0;
  virtual absl::Status Unlink(const std::string& path) = 0;
  // symlink(target, linkpath): creates `linkpath` pointing at `target`.
  virtual absl::Status Symlink(const std::string& target,
                               const std::string& linkpath) = 0;
  // The names in a directory except "." and "..", sorted (as Go's
  // os.ReadDir, which hakurei uses).
  virtual absl::StatusOr<std::vector<std::string>> ReadDir(
      const std::string& path) = 0;
  virtual bool Isatty(int fd) = 0;
  virtual absl::Status Chdir(const std::string& path) = 0;
  virtual absl::Status Fchdir(int fd) = 0;

  // ---- mounts -----------------------------------------------------------
  // mount(2); an empty source, fstype or data is passed as NULL.
  virtual absl::Status Mount(const std::string& source,
                             const std::string& target,
                             const std::string& fstype, unsigned long flags,
                             const std::string& data) = 0;
  virtual absl::Status Umount2(const std::string& target, int flags) = 0;
  virtual absl::Status PivotRoot(const std::string& new_root,
                                 const std::string& put_old) = 0;
  // What the kernel says about the mount `path` is on (the path is followed
  // like mount(2) follows it): statx(STATX_MNT_ID_UNIQUE) for the mount and
  // STATX_ATTR_MOUNT_ROOT, statmount(STATMOUNT_MNT_BASIC) for its flags
  // (as MountInfoEntry::Flags() reads them from that mount's mountinfo
  // line), listmount for its children. Linux 6.8 and later; an older
  // kernel fails (ENOSYS, EINVAL, ...), and callers fall back to mountinfo.
  virtual absl::StatusOr<MountAttr> StatMount(const std::string& path) = 0;

  // ---- capabilities, seccomp, network ------------------------------------
  // prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL).
  virtual absl::Status CapAmbientClearAll() = 0;
  // prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap).
  virtual absl::Status CapAmbientRaise(int cap) = 0;
  // prctl(PR_CAPBSET_DROP, cap).
  virtual absl::Status CapBoundingSetDrop(int cap) = 0;
  // capset(2) (version 3) of this process; each set is a 64-bit mask.
  virtual absl::Status Capset(uint64_t effective, uint64_t permitted,
                              uint64_t inheritable) = 0;
  // Compiles `rules` and loads the filter into this process
  // (kekkai::seccomp::Load: libseccomp's NNP attribute on, no TSYNC).
  virtual absl::Status LoadSeccomp(const std::vector<NativeRule>& rules,
                                   uint32_t flags) = 0;
  // Sets IFF_UP on the loopback interface "lo" of this network namespace
  // (needs CAP_NET_ADMIN over it: EPERM without).
  virtual absl::Status BringUpLoopback() = 0;

  // ---- the payload and supervision --------------------------------------
  // clone(CLONE_VM|CLONE_VFORK), like vfork(2), and in the child: reset the
  // signal mask, move the extra files to 3.., chdir(spec.dir) and execve.
  // Returns the child's pid once the execve succeeded. When the child cannot
  // get there it reports the errno through a close-on-exec pipe, is reaped
  // here, and the error is an ExecFailure():
  // `execve("/bin/x"): No such file or directory [ENOENT]`.
  virtual absl::StatusOr<pid_t> StartProcess(const ExecSpec& spec) = 0;
  // Blocks `signals` in this process and returns a signalfd for them
  // (close-on-exec, non-blocking).
  virtual absl::StatusOr<UniqueFd> SignalFd(const std::vector<int>& signals) = 0;
  // Waits up to `timeout_ms` (-1: forever) for a signal on `signal_fd` and
  // returns its number, or 0 when none arrived (the time ran out, or a
  // spurious wake-up: callers re-check their clock).
  virtual absl::StatusOr<int> ReadSignal(int signal_fd, int64_t timeout_ms) = 0;
  // waitpid(-1, &status, WNOHANG), EINTR retried.
  virtual absl::StatusOr<ChildWait> WaitAnyChild() = 0;
  virtual absl::Status Kill(pid_t pid, int sig) = 0;
  // CLOCK_MONOTONIC in nanoseconds.
  virtual int64_t MonotonicNanos() = 0;

  // ---- composite helpers (LinuxSys implements them with the *Via
  // functions below; an op test expects each as one call) ----------------

  // mkdir -p with `perm` for every directory it creates (Go's
  // os.MkdirAll): an existing directory is fine, an existing non-directory
  // is ENOTDIR.
  virtual absl::Status MkdirAll(const std::string& path, mode_t perm) = 0;
  // hakurei's ensureFile: `path` may exist if it is not a directory (EISDIR
  // otherwise); a missing one is created (O_CREAT|O_EXCL, `perm`) after its
  // parents (MkdirAll with `parent_perm`).
  virtual absl::Status EnsureFile(const std::string& path, mode_t perm,
                                  mode_t parent_perm) = 0;
  // hakurei's bindMount: mount(source, target, MS_SILENT|MS_BIND|(flags &
  // MS_REC)), then Remount(target, flags).
  virtual absl::Status BindMount(const std::string& source,
                                 const std::string& target,
                                 unsigned long flags) = 0;
  // hakurei's remount: adds MS_NOSUID and (flags & (MS_RDONLY|MS_NODEV)) to
  // the mount at `target` (after resolving symlinks, and finding the
  // kernel's name for it through kHostProcSelf/fd), and with MS_REC to every
  // visible mount under it (kHostProcSelf/mountinfo, unfolded; EACCES on a
  // submount is ignored). Flags are only ever added. When StatMount shows
  // `target` is a mount root with nothing to recurse into, that one mount
  // is remounted without reading mountinfo (same flags passed to mount(2)).
  virtual absl::Status Remount(const std::string& target,
                               unsigned long flags) = 0;
  // hakurei's mountTmpfs: MkdirAll(target, ParentPermFor(perm)), then a
  // tmpfs with source `fsname` and options "mode=%#o[,size=N]".
  virtual absl::Status MountTmpfs(const std::string& fsname,
                                  const std::string& target,
                                  unsigned long flags, int64_t size,
                                  uint32_t perm) = 0;
};

// The real kernel. One instance per process.
Sys& LinuxSys();

// The composite helpers, written against the raw calls of `sys`.
absl::Status MkdirAllVia(Sys& sys, const std::string& path, mode_t perm);
absl::Status EnsureFileVia(Sys& sys, const std::string& path, mode_t perm,
                           mode_t parent_perm);
absl::Status BindMountVia(Sys& sys, const std::string& source,
                          const std::string& target, unsigned long flags);
absl::Status RemountVia(Sys& sys, const std::string& target,
                        unsigned long flags);
absl::Status MountTmpfsVia(Sys& sys, const std::string& fsname,
                           const std::string& target, unsigned long flags,
                           int64_t size, uint32_t perm);

// hakurei's parentPerm: 0755 with group r-x cleared when `perm` has no group
// bits and other r-x cleared when it has no other bits (bubblewrap's rule
// for the directories above a tmpfs).
mode_t ParentPermFor(uint32_t perm);

// "MS_BIND|MS_REC|0x40000000" (0 is "0").
std::string MountFlagsToString(unsigned long flags);

// Go's path.Dir for an absolute path ("/a/b" -> "/a", "/a" -> "/").
std::string DirName(const std::string& path);

}  // namespace kekkai::sys

#endif  // KEKKAI_COMMON_SYS_SYS_H_
