// attack: the programs of the attack suite (tests/security/). Each
// subcommand tries one way out of (or up inside) a kekkai container and
// prints exactly one line, `NAME: errno=EPERM` when the attempt failed with
// that errno, `NAME: ok` when it worked, or a subcommand-specific outcome;
// it exits 0 when it could make the attempt at all, 2 on a usage error.
// security_test.cc runs it through `kekkai run` and asserts the line.
//
// Plain C++ and libc only, never sanitized (LeakSanitizer needs ptrace at
// exit, which the sandbox refuses), so it runs in any sandbox that shows the
// host's /usr and /lib.
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using Args = std::vector<std::string>;

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : std::to_string(err);
}

// The usual outcome line of a call that returns -1 and sets errno.
std::string Result(long rc) {
  if (rc < 0) return "errno=" + ErrnoName(errno);
  return "ok";
}

// Result of a call returning an fd; the fd is closed.
std::string FdResult(long fd) {
  const std::string line = Result(fd);
  if (fd >= 0) close(static_cast<int>(fd));
  return line;
}

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr, "attack: %s\n", why.c_str());
  std::exit(2);
}

const std::string& Arg(const Args& args, size_t i) {
  if (i >= args.size()) Usage("missing argument");
  return args[i];
}

// ---- filesystem -----------------------------------------------------------

// chdir("..") far beyond the root, then look for a host-only path.
std::string DotDot(const Args& a) {
  if (chdir("/") != 0) return Result(-1);
  for (int i = 0; i < 64; ++i) {
    if (chdir("..") != 0) return Result(-1);
  }
  struct stat here, root;
  if (stat(".", &here) != 0 || stat("/", &root) != 0) return Result(-1);
  if (here.st_ino != root.st_ino || here.st_dev != root.st_dev) {
    return "escaped";
  }
  return FdResult(open(("." + Arg(a, 0)).c_str(), O_RDONLY | O_CLOEXEC));
}

std::string OpenatDotDot(const Args& a) {
  const int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return Result(-1);
  std::string path;
  for (int i = 0; i < 32; ++i) path += "../";
  path += Arg(a, 0).substr(1);
  const int fd = openat(root, path.c_str(), O_RDONLY | O_CLOEXEC);
  close(root);
  return FdResult(fd);
}

// open(PREFIX + MARKER): /proc/self/root, /proc/1/root, a planted symlink.
std::string OpenUnder(const Args& a) {
  return FdResult(open((Arg(a, 0) + Arg(a, 1)).c_str(), O_RDONLY | O_CLOEXEC));
}

std::string OpenDir(const Args& a) {
  return FdResult(open(Arg(a, 0).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::string OpenRead(const Args& a) {
  return FdResult(open(Arg(a, 0).c_str(), O_RDONLY | O_CLOEXEC));
}

std::string Readlink(const Args& a) {
  char buf[4096];
  return Result(readlink(Arg(a, 0).c_str(), buf, sizeof(buf)));
}

// The "shocker" escape: a handle of the root opened by handle.
std::string OpenByHandle(const Args&) {
  struct {
    file_handle handle;
    unsigned char bytes[MAX_HANDLE_SZ];
  } h;
  h.handle.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, "/", &h.handle, &mount_id, 0) != 0) {
    return Result(-1);
  }
  const int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int fd = open_by_handle_at(root, &h.handle, O_RDONLY | O_CLOEXEC);
  close(root);
  return FdResult(fd);
}

// The open fds other than stdio and those named as allowed.
std::string Fds(const Args& a) {
  std::set<int> allowed = {0, 1, 2};
  for (const std::string& s : a) allowed.insert(std::stoi(s));
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return Result(-1);
  std::string leaked;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd == dirfd(dir) || allowed.count(fd) != 0) continue;
    char target[4096] = {};
    const ssize_t n = readlink(("/proc/self/fd/" + std::string(e->d_name))
                                   .c_str(),
                               target, sizeof(target) - 1);
    leaked.append(" ").append(std::to_string(fd)).append("=");
    leaked.append(n > 0 ? std::string(target, static_cast<size_t>(n)) : "?");
  }
  closedir(dir);
  return leaked.empty() ? "ok" : "leaked" + leaked;
}

std::string Cwd(const Args&) {
  char buf[4096];
  if (getcwd(buf, sizeof(buf)) == nullptr) return Result(-1);
  char link[4096] = {};
  const ssize_t n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
  if (n < 0) return Result(-1);
  return std::string(buf) + " " + std::string(link, static_cast<size_t>(n));
}

std::string OpenWrite(const Args& a) {
  return FdResult(
      open(Arg(a, 0).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

std::string RemountRw(const Args& a) {
  return Result(mount(nullptr, Arg(a, 0).c_str(), nullptr,
                      MS_REMOUNT | MS_BIND, nullptr));
}

std::string Umount(const Args& a) {
  return Result(umount2(Arg(a, 0).c_str(), MNT_DETACH));
}

std::string MountOver(const Args& a) {
  return Result(mount("tmpfs", Arg(a, 0).c_str(), "tmpfs", 0, nullptr));
}

std::string Chroot(const Args&) { return Result(chroot("/tmp")); }

std::string PivotRoot(const Args&) {
  return Result(syscall(SYS_pivot_root, "/tmp", "/tmp"));
}

std::string Mknod(const Args&) {
  return Result(mknod("/tmp/kekkai-null", S_IFCHR | 0666, makedev(1, 3)));
}

// ---- privileges -----------------------------------------------------------

std::string StatusField(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      const size_t v = line.find_first_not_of(" \t", name.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  }
  return "?";
}

// Every capability set, no_new_privs and the filter mode.
std::string Caps(const Args&) {
  std::string out;
  for (const char* f : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                        "NoNewPrivs", "Seccomp"}) {
    if (!out.empty()) out += " ";
    out += std::string(f) + "=" + StatusField(f);
  }
  return out;
}

// What a (setuid, file-capability) copy of this program reports after exec.
std::string Ids(const Args&) {
  uid_t r, e, s;
  gid_t rg, eg, sg;
  getresuid(&r, &e, &s);
  getresgid(&rg, &eg, &sg);
  const bool same = r == e && e == s && rg == eg && eg == sg;
  return std::string(same ? "unchanged" : "changed") +
         " CapPrm=" + StatusField("CapPrm") +
         " CapEff=" + StatusField("CapEff");
}

// fork + exec PATH ids; the child's line, relabelled.
std::string ExecIds(const Args& a) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Result(-1);
  const pid_t pid = fork();
  if (pid < 0) return Result(-1);
  if (pid == 0) {
    dup2(p[1], 1);
    execl(Arg(a, 0).c_str(), Arg(a, 0).c_str(), "ids", nullptr);
    std::printf("ids: exec errno=%s\n", ErrnoName(errno).c_str());
    _exit(0);
  }
  close(p[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  if (out.rfind("ids: ", 0) == 0) out = out.substr(5);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Setuid0(const Args&) { return Result(setuid(0)); }
std::string Sethostname(const Args&) { return Result(sethostname("x", 1)); }

// ---- processes ------------------------------------------------------------

std::string PtraceAttach(const Args& a) {
  return Result(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */,
                        std::stoi(Arg(a, 0)), 0, 0));
}

std::string ProcessVmReadv(const Args& a) {
  char local[16], remote_byte = 0;
  iovec l = {local, sizeof(local)};
  iovec r = {&remote_byte, 1};
  return Result(syscall(SYS_process_vm_readv, std::stoi(Arg(a, 0)), &l, 1,
                        &r, 1, 0));
}

std::string Kill(const Args& a) {
  return Result(kill(std::stoi(Arg(a, 0)), std::stoi(Arg(a, 1))));
}

std::string PidfdOpen(const Args& a) {
  return FdResult(syscall(SYS_pidfd_open, std::stoi(Arg(a, 0)), 0));
}

// Forks until RLIMIT_NPROC (set here to LIMIT) refuses; the children wait
// in pause() and are killed afterwards. `forkbomb: errno=EAGAIN forks=N`.
std::string ForkBomb(const Args& a) {
  const rlim_t limit = std::stoul(Arg(a, 0));
  const rlimit rl = {limit, limit};
  if (setrlimit(RLIMIT_NPROC, &rl) != 0) return Result(-1);
  std::vector<pid_t> children;
  int err = 0;
  // Twice the limit at most, so a broken limit cannot hurt the machine.
  for (rlim_t i = 0; i < 2 * limit; ++i) {
    const pid_t pid = fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) kill(pid, SIGKILL);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  return (err != 0 ? "errno=" + ErrnoName(err) : std::string("ok")) +
         " forks=" + std::to_string(children.size());
}

// Leaves an orphan (a grandchild in its own session, reparented to init)
// and an unreaped zombie behind, then exits; argv carries a marker the
// test looks for on the host afterwards.
std::string Orphans(const Args&) {
  const pid_t child = fork();
  if (child < 0) return Result(-1);
  if (child == 0) {
    if (fork() == 0) {
      setsid();
      signal(SIGHUP, SIG_IGN);
      for (;;) pause();
    }
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  const pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  return zombie < 0 ? Result(-1) : "left";
}

// A grandchild reparented to init and exiting at once must be reaped by
// init: its /proc entry goes away (5 s bound).
std::string Reap(const Args&) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Result(-1);
  const pid_t child = fork();
  if (child < 0) return Result(-1);
  if (child == 0) {
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      // Wait until the parent is gone, so the exit goes to init.
      while (getppid() != 1) usleep(1000);
      _exit(0);
    }
    (void)!write(p[1], &grandchild, sizeof(grandchild));
    _exit(0);
  }
  close(p[1]);
  pid_t grandchild = -1;
  if (read(p[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild)) {
    return "no grandchild";
  }
  waitpid(child, nullptr, 0);
  const std::string path = "/proc/" + std::to_string(grandchild);
  for (int i = 0; i < 5000; ++i) {
    if (access(path.c_str(), F_OK) != 0) return "ok";
    usleep(1000);
  }
  return "zombie " + StatusField("State");
}

// ---- syscalls the filter (or the kernel) refuses --------------------------

std::string Unshare(const Args& a) {
  const std::map<std::string, int> flags = {{"user", CLONE_NEWUSER},
                                            {"mount", CLONE_NEWNS},
                                            {"net", CLONE_NEWNET},
                                            {"pid", CLONE_NEWPID}};
  auto it = flags.find(Arg(a, 0));
  if (it == flags.end()) Usage("unknown namespace");
  return Result(unshare(it->second));
}

std::string CloneNewuser(const Args&) {
  const long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return Result(pid);
}

std::string Clone3(const Args&) {
  clone_args args = {};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  const long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return Result(pid);
}

std::string Setns(const Args&) {
  const int fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Result(-1);
  const std::string line = Result(setns(fd, 0));
  close(fd);
  return line;
}

std::string Fsopen(const Args&) {
  return FdResult(syscall(SYS_fsopen, "tmpfs", 0));
}

std::string OpenTree(const Args&) {
  return FdResult(
      syscall(SYS_open_tree, AT_FDCWD, "/usr", OPEN_TREE_CLONE | O_CLOEXEC));
}

std::string MoveMount(const Args&) {
  return Result(syscall(SYS_move_mount, AT_FDCWD, "/usr", AT_FDCWD, "/tmp",
                        0));
}

std::string Fspick(const Args&) {
  return FdResult(syscall(SYS_fspick, AT_FDCWD, "/usr", 0));
}

std::string MountSetattr(const Args&) {
  mount_attr attr = {};
  attr.attr_clr = MOUNT_ATTR_RDONLY;
  return Result(syscall(SYS_mount_setattr, AT_FDCWD, "/usr", 0, &attr,
                        sizeof(attr)));
}

// ioctl REQUEST (TIOCSTI or TIOCLINUX), optionally with bits 48-63 set,
// on a pty slave that is the caller's controlling terminal (a child in a
// session of its own), so that without the filter the kernel would let
// TIOCSTI through. The child's errno comes back as its exit status.
std::string TtyIoctl(unsigned long request, bool high, const Args&) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    return "no pty " + Result(-1);
  }
  const char* name = ptsname(master);
  if (name == nullptr) return "no pty " + Result(-1);
  const std::string slave = name;
  const pid_t pid = fork();
  if (pid < 0) return Result(-1);
  if (pid == 0) {
    if (setsid() < 0) _exit(255);
    const int fd = open(slave.c_str(), O_RDWR | O_CLOEXEC);  // becomes ctty
    if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) _exit(254);
    if (high) request |= 0xdead000000000000ul;
    char arg[2] = {'x', 0};  // TIOCSTI's byte / TIOCLINUX subcode 0
    _exit(syscall(SYS_ioctl, fd, request, arg) < 0 ? errno : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  if (!WIFEXITED(status)) return "child killed";
  const int code = WEXITSTATUS(status);
  if (code == 255 || code == 254) return "no controlling tty";
  return code == 0 ? "ok" : "errno=" + ErrnoName(code);
}

std::string Abstract(const Args& a) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Result(-1);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  const std::string& name = Arg(a, 0);
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  const socklen_t len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  const std::string line =
      Result(connect(fd, reinterpret_cast<sockaddr*>(&addr), len));
  close(fd);
  return line;
}

std::string Socket(const Args& a) {
  return FdResult(socket(std::stoi(Arg(a, 0)),
                         std::stoi(Arg(a, 1)) | SOCK_CLOEXEC, 0));
}

std::string Keyctl(const Args&) {
  return Result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
                        KEY_SPEC_SESSION_KEYRING, 0));
}

std::string AddKey(const Args&) {
  return Result(syscall(SYS_add_key, "user", "kekkai", "x", 1,
                        KEY_SPEC_PROCESS_KEYRING));
}

std::string RequestKey(const Args&) {
  return Result(syscall(SYS_request_key, "user", "kekkai", nullptr,
                        KEY_SPEC_PROCESS_KEYRING));
}

std::string PerfEventOpen(const Args&) {
  perf_event_attr attr = {};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  return FdResult(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

std::string Bpf(const Args&) {
  bpf_attr attr = {};
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  return FdResult(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
}

std::string Userfaultfd(const Args&) {
  return FdResult(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
}

std::string IoUring(const Args&) {
  io_uring_params params = {};
  return FdResult(syscall(SYS_io_uring_setup, 1, &params));
}

std::string KexecLoad(const Args&) {
  return Result(syscall(SYS_kexec_load, 0, 0, nullptr, 0));
}

std::string KexecFileLoad(const Args&) {
  return Result(syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
}

std::string InitModule(const Args&) {
  return Result(syscall(SYS_init_module, nullptr, 0, ""));
}

std::string FinitModule(const Args&) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const std::string line = Result(syscall(SYS_finit_module, fd, "", 0));
  close(fd);
  return line;
}

std::string DeleteModule(const Args&) {
  return Result(syscall(SYS_delete_module, "kekkai_none", O_NONBLOCK));
}

std::string ClockSettime(const Args&) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return Result(clock_settime(CLOCK_REALTIME, &now));
}

std::string Settimeofday(const Args&) {
  timeval now;
  gettimeofday(&now, nullptr);
  return Result(settimeofday(&now, nullptr));
}

std::string Reboot(const Args&) {
  // CAD_OFF: harmless even where it were allowed.
  return Result(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                        LINUX_REBOOT_CMD_CAD_OFF, nullptr));
}

std::string Swapon(const Args&) {
  return Result(syscall(SYS_swapon, "/tmp/kekkai-swap", 0));
}

std::string Syslog(const Args&) {
  char buf[64];
  return Result(klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf)));
}

std::string Personality(const Args&) {
  return Result(syscall(SYS_personality, PER_BSD));
}

std::string ModifyLdt(const Args&) {
  char buf[16];
  return Result(syscall(SYS_modify_ldt, 0, buf, sizeof(buf)));
}

// i386's getpid (20) through int $0x80 in a child: the filter has no i386
// arch without multiarch, so its bad-arch action kills the caller
// (`signal=SYS`); with multiarch the call works (`getpid`).
std::string Int80(const Args&) {
#if defined(__x86_64__)
  const pid_t pid = fork();
  if (pid < 0) return Result(-1);
  if (pid == 0) {
    long ret = 20;
    asm volatile("int $0x80" : "+a"(ret) : : "memory");
    _exit(ret == getpid() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    return std::string("signal=") + sigabbrev_np(WTERMSIG(status));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "getpid";
  return "exited " + std::to_string(WEXITSTATUS(status));
#else
  return "not x86_64";
#endif
}

const std::map<std::string, std::function<std::string(const Args&)>>&
Attacks() {
  static const auto* attacks = new std::map<
      std::string, std::function<std::string(const Args&)>>{
      {"dotdot", DotDot},
      {"openat-dotdot", OpenatDotDot},
      {"open-under", OpenUnder},
      {"open-dir", OpenDir},
      {"open-read", OpenRead},
      {"readlink", Readlink},
      {"open-by-handle", OpenByHandle},
      {"fds", Fds},
      {"cwd", Cwd},
      {"write", OpenWrite},
      {"remount-rw", RemountRw},
      {"umount", Umount},
      {"mount-over", MountOver},
      {"chroot", Chroot},
      {"pivot-root", PivotRoot},
      {"mknod", Mknod},
      {"caps", Caps},
      {"ids", Ids},
      {"exec-ids", ExecIds},
      {"setuid", Setuid0},
      {"sethostname", Sethostname},
      {"ptrace", PtraceAttach},
      {"process-vm-readv", ProcessVmReadv},
      {"kill", Kill},
      {"pidfd-open", PidfdOpen},
      {"forkbomb", ForkBomb},
      {"orphans", Orphans},
      {"reap", Reap},
      {"unshare", Unshare},
      {"clone-newuser", CloneNewuser},
      {"clone3", Clone3},
      {"setns", Setns},
      {"fsopen", Fsopen},
      {"open-tree", OpenTree},
      {"move-mount", MoveMount},
      {"fspick", Fspick},
      {"mount-setattr", MountSetattr},
      {"tiocsti", [](const Args& a) { return TtyIoctl(TIOCSTI, false, a); }},
      {"tiocsti-high",
       [](const Args& a) { return TtyIoctl(TIOCSTI, true, a); }},
      {"tioclinux",
       [](const Args& a) { return TtyIoctl(TIOCLINUX, false, a); }},
      {"tioclinux-high",
       [](const Args& a) { return TtyIoctl(TIOCLINUX, true, a); }},
      {"abstract", Abstract},
      {"socket", Socket},
      {"keyctl", Keyctl},
      {"add-key", AddKey},
      {"request-key", RequestKey},
      {"perf-event-open", PerfEventOpen},
      {"bpf", Bpf},
      {"userfaultfd", Userfaultfd},
      {"io-uring", IoUring},
      {"kexec-load", KexecLoad},
      {"kexec-file-load", KexecFileLoad},
      {"init-module", InitModule},
      {"finit-module", FinitModule},
      {"delete-module", DeleteModule},
      {"clock-settime", ClockSettime},
      {"settimeofday", Settimeofday},
      {"reboot", Reboot},
      {"swapon", Swapon},
      {"syslog", Syslog},
      {"personality", Personality},
      {"modify-ldt", ModifyLdt},
      {"int80", Int80},
  };
  return *attacks;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Usage("usage: attack NAME [ARGS...]");
  const std::string name = argv[1];
  const auto it = Attacks().find(name);
  if (it == Attacks().end()) Usage("unknown attack \"" + name + "\"");
  const Args args(argv + 2, argv + argc);
  const std::string line = name + ": " + it->second(args) + "\n";
  (void)!write(1, line.data(), line.size());
  return 0;
}
