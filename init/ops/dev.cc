// MountDevOp (hakurei's initdev.go): a minimal /dev on a tmpfs. Six device
// nodes bound from the host (rw, no nodev, so they work), the std* links,
// a new devpts instance, optionally the session's terminal as console and a
// new mqueue; then, unless Write, the tmpfs is remounted read-only and a
// fresh writable tmpfs goes on shm.
#include <sys/mount.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {
namespace {

constexpr const char* kDevices[] = {"null",   "zero",    "full",
                                    "random", "urandom", "tty"};

}  // namespace

absl::Status MountDev::Apply(SetupState& state, sys::Sys& sys) {
  const std::string& dev = op_.target->str();
  const std::string target = ToSysroot(dev);
  // Container paths for the steps: "/dev" + "/null".
  auto in_dev = [&](const char* name) {
    return dev == "/" ? absl::StrCat("/", name) : absl::StrCat(dev, "/", name);
  };
  auto at = [&](const char* name) { return absl::StrCat(target, "/", name); };

  KEKKAI_INIT_TRY(sys.MountTmpfs("devtmpfs", target, MS_NOSUID | MS_NODEV, 0,
                                 state.parent_perm),
                  absl::StrCat("mount dev on ", dev));

  for (const char* name : kDevices) {
    const std::string step =
        absl::StrCat("bind /dev/", name, " on ", in_dev(name));
    KEKKAI_INIT_TRY(sys.EnsureFile(at(name), 0444, state.parent_perm), step);
    KEKKAI_INIT_TRY(
        sys.BindMount(ToHost(absl::StrCat("/dev/", name)), at(name), 0), step);
  }

  constexpr const char* kLinks[][2] = {
      {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"/proc/self/fd", "fd"},
      {"/proc/kcore", "core"},       {"pts/ptmx", "ptmx"},
  };
  for (const auto& link : kLinks) {
    KEKKAI_INIT_TRY(sys.Symlink(link[0], at(link[1])),
                    absl::StrCat("create symlink ", in_dev(link[1])));
  }

  for (const char* name : {"shm", "pts"}) {
    KEKKAI_INIT_TRY(sys.Mkdir(at(name), state.parent_perm),
                    absl::StrCat("create directory ", in_dev(name)));
  }
  KEKKAI_INIT_TRY(sys.Mount("devpts", at("pts"), "devpts",
                            MS_NOSUID | MS_NOEXEC,
                            "newinstance,ptmxmode=0666,mode=620"),
                  absl::StrCat("mount devpts on ", in_dev("pts")));

  // With RetainSession the payload keeps init's terminal: it becomes
  // /dev/console, as the host tty stdout points at.
  if (state.params->retain_session && sys.Isatty(1)) {
    const std::string step =
        absl::StrCat("bind the terminal on ", in_dev("console"));
    KEKKAI_INIT_TRY(sys.EnsureFile(at("console"), 0444, state.parent_perm),
                    step);
    KEKKAI_INIT_ASSIGN(const std::string tty,
                       sys.Readlink(absl::StrCat(sys::kHostProcSelf, "/fd/1")),
                       step);
    KEKKAI_INIT_TRY(sys.BindMount(ToHost(tty), at("console"), 0), step);
  }

  if (op_.mqueue) {
    const std::string step =
        absl::StrCat("mount mqueue on ", in_dev("mqueue"));
    KEKKAI_INIT_TRY(sys.Mkdir(at("mqueue"), state.parent_perm), step);
    KEKKAI_INIT_TRY(sys.Mount("mqueue", at("mqueue"), "mqueue",
                              MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
                    step);
  }

  if (op_.write) return absl::OkStatus();
  KEKKAI_INIT_TRY(sys.Remount(target, MS_RDONLY),
                  absl::StrCat("remount ", dev, " read-only"));
  // A read-only /dev still needs a writable /dev/shm for POSIX shared
  // memory: a fresh tmpfs, world-writable and sticky.
  KEKKAI_INIT_TRY(
      sys.MountTmpfs("tmpfs", at("shm"), MS_NOSUID | MS_NODEV, 0, 01777),
      absl::StrCat("mount tmpfs on ", in_dev("shm")));
  return absl::OkStatus();
}

}  // namespace kekkai::init
