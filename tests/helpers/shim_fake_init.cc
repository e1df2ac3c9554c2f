// shim_fake_init: a stand-in for kekkai-init that the launcher tests run as
// "init". It records what the launcher promises init (argv ["init"], the
// environment exactly HAKUREI_SETUP=3, cwd /, only fds 0-3 and the extra
// files, ambient capabilities, no_new_privs, a fresh session, empty signal
// mask and dispositions, the namespaces, the Landlock scopes), decodes its
// params from fd 3 like init, and then does what params.args[1] says,
// speaking the setup report protocol (common/setup_report.h) on fd 3:
//
//   facts [--read-fd=N] [--abstract=NAME]   print facts to stdout, exit 0
//   exit N               the program "exited" N
//   signal S             the program was "killed" by S (init exits 128+S)
//   setup-fail           a setup step failed (op 2, EPERM)
//   exec-fail ERRNO      the program could not be executed
//   silent N             no report at all, exit N (like hakurei's init)
//   bad-report           a corrupt report frame, exit 0
//   block [--fork]       report started, then wait: SIGUSR2 exits 0 (init
//                        without forward_cancel), SIGTERM "kills the
//                        program" (report signal 15, exit 143); --fork
//                        starts a child that sleeps (the "payload tree")
//   ignore-cancel        report started, handle nothing: only SIGKILL ends it
//
// Reports: it never uses gtest; stdout lines are "key=value".
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/gob/gob.h"
#include "common/params.h"
#include "common/setup_report.h"
#include "common/status.h"

extern char** environ;

namespace {

constexpr int kSetupFd = 3;

void Report(const kekkai::SetupReport& report) {
  const std::string frame = kekkai::EncodeSetupReport(report);
  (void)!write(kSetupFd, frame.data(), frame.size());
}

void ReportStarted() {
  kekkai::SetupReport report;
  report.kind = kekkai::SetupReportKind::kStarted;
  report.pid = 2;
  Report(report);
}

void ReportExited(int wait_status) {
  kekkai::SetupReport report;
  report.kind = kekkai::SetupReportKind::kPayloadExited;
  report.wait_status = wait_status;
  Report(report);
}

std::string ReadLink(const std::string& path) {
  char buf[4096];
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n < 0) return absl::StrCat("error:", kekkai::ErrnoName(errno));
  return std::string(buf, static_cast<size_t>(n));
}

// The fds open now, as "0,1,2,3".
std::string OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return "error";
  std::vector<int> fds;
  while (struct dirent* entry = readdir(dir)) {
    int fd;
    if (absl::SimpleAtoi(entry->d_name, &fd) && fd != dirfd(dir)) {
      fds.push_back(fd);
    }
  }
  closedir(dir);
  std::sort(fds.begin(), fds.end());
  return absl::StrJoin(fds, ",");
}

// "CapAmb", "NoNewPrivs", "SigBlk", ... from /proc/self/status.
std::string StatusField(const std::string& name) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return "error";
  char line[512];
  std::string value = "missing";
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (absl::StartsWith(line, name + ":")) {
      std::string rest(line + name.size() + 1);
      while (!rest.empty() && (rest.front() == '\t' || rest.front() == ' ')) {
        rest.erase(0, 1);
      }
      while (!rest.empty() && rest.back() == '\n') rest.pop_back();
      value = rest;
    }
  }
  std::fclose(f);
  return value;
}

std::string Ignored() {
  // Signals set to SIG_IGN: the only dispositions that survive execve.
  // (Handlers cannot, and a sanitizer runtime installs its own anyway.)
  std::vector<int> ignored;
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction sa;
    if (sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN) {
      ignored.push_back(sig);
    }
  }
  return ignored.empty() ? "none" : absl::StrJoin(ignored, ",");
}

std::string ConnectAbstract(const std::string& name) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::StrCat("socket:", kekkai::ErrnoName(errno));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(),
              std::min(name.size(), sizeof(addr.sun_path) - 2));
  const socklen_t len = static_cast<socklen_t>(
      offsetof(struct sockaddr_un, sun_path) + 1 + name.size());
  const int rc = connect(fd, reinterpret_cast<struct sockaddr*>(&addr), len);
  const std::string result = rc == 0 ? "ok" : kekkai::ErrnoName(errno);
  close(fd);
  return result;
}

void Facts(const std::vector<std::string>& argv,
           const kekkai::InitParams& init, const std::vector<std::string>& args) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  char cwd[4096];
  const char* cwd_ok = getcwd(cwd, sizeof(cwd));
  std::printf("argv=%s\n", absl::StrJoin(argv, " ").c_str());
  std::printf("env=%s\n", absl::StrJoin(env, "|").c_str());
  std::printf("cwd=%s\n", cwd_ok != nullptr ? cwd : "error");
  std::printf("pid=%d\n", getpid());
  std::printf("session_leader=%d\n", getsid(0) == getpid() ? 1 : 0);
  std::printf("fds=%s\n", OpenFds().c_str());
  for (const char* field : {"CapInh", "CapPrm", "CapEff", "CapAmb",
                            "NoNewPrivs", "SigBlk", "SigIgn"}) {
    std::printf("%s=%s\n", field, StatusField(field).c_str());
  }
  std::printf("ignored=%s\n", Ignored().c_str());
  for (const char* ns : {"user", "pid", "mnt", "ipc", "uts", "cgroup", "net"}) {
    std::printf("ns_%s=%s\n", ns,
                ReadLink(absl::StrCat("/proc/self/ns/", ns)).c_str());
  }
  std::printf("stdin=%s\n", ReadLink("/proc/self/fd/0").c_str());
  std::printf("host_uid=%lld\n", static_cast<long long>(init.host_uid));
  std::printf("host_gid=%lld\n", static_cast<long long>(init.host_gid));
  std::printf("count=%lld\n", static_cast<long long>(init.count));
  std::printf("verbose=%d\n", init.verbose ? 1 : 0);
  std::printf("kekkai_report=%lld\n",
              static_cast<long long>(init.kekkai_report));
  std::printf("uid=%lld\n", static_cast<long long>(init.params.uid));
  std::printf("gid=%lld\n", static_cast<long long>(init.params.gid));
  std::printf("adopt_wait_delay=%lld\n",
              static_cast<long long>(init.params.adopt_wait_delay));
  std::printf("seccomp_presets=%lld\n",
              static_cast<long long>(init.params.seccomp_presets));
  std::printf("dir=%s\n", init.params.dir.has_value()
                              ? init.params.dir->c_str()
                              : "nil");
  for (const std::string& arg : args) {
    int fd;
    if (absl::StartsWith(arg, "--read-fd=") &&
        absl::SimpleAtoi(arg.substr(10), &fd)) {
      char buf[256];
      const ssize_t n = read(fd, buf, sizeof(buf));
      std::printf("fd%d=%s\n", fd,
                  n >= 0 ? std::string(buf, static_cast<size_t>(n)).c_str()
                         : kekkai::ErrnoName(errno).c_str());
    } else if (absl::StartsWith(arg, "--abstract=")) {
      std::printf("abstract=%s\n", ConnectAbstract(arg.substr(11)).c_str());
    }
  }
  std::fflush(stdout);
}

volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

int Block(bool fork_child) {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGUSR2, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  if (fork_child) {
    const pid_t child = fork();
    if (child == 0) {
      for (;;) pause();
    }
  }
  // Blocked outside sigsuspend: one arriving between the check and a
  // pause() would otherwise be waited for forever.
  sigset_t blocked, unblocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR2);
  sigaddset(&blocked, SIGTERM);
  sigprocmask(SIG_BLOCK, &blocked, &unblocked);
  ReportStarted();
  std::printf("blocking\n");
  std::fflush(stdout);
  while (g_signal == 0) sigsuspend(&unblocked);
  if (g_signal == SIGTERM) {
    ReportExited(SIGTERM);  // a wait status: killed by SIGTERM
    return 128 + SIGTERM;
  }
  return 0;  // SIGUSR2: init exits 0 without forward_cancel
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> argv_copy(argv, argv + argc);
  absl::StatusOr<kekkai::InitParams> init = kekkai::gob::ReadFrom(kSetupFd);
  if (!init.ok()) {
    std::fprintf(stderr, "shim_fake_init: cannot decode setup parameters: %s\n",
                 std::string(init.status().message()).c_str());
    return 1;
  }
  const std::vector<std::string>& args = init->params.args;
  const std::string mode = args.size() > 1 ? args[1] : "facts";
  const std::vector<std::string> rest(
      args.begin() + std::min<size_t>(args.size(), 2), args.end());
  int number = 0;
  if (!rest.empty()) (void)absl::SimpleAtoi(rest[0], &number);

  if (mode == "facts") {
    Facts(argv_copy, *init, rest);
    ReportStarted();
    ReportExited(0);
    return 0;
  }
  if (mode == "exit") {
    ReportStarted();
    ReportExited((number & 0xff) << 8);
    return number;
  }
  if (mode == "signal") {
    ReportStarted();
    ReportExited(number & 0x7f);
    return 128 + number;
  }
  if (mode == "setup-fail") {
    kekkai::SetupReport report;
    report.kind = kekkai::SetupReportKind::kSetupFailed;
    report.step = "mount proc on /proc";
    report.op_index = 2;
    report.err = EPERM;
    report.message =
        "kekkai-init: cannot mount proc on /proc (op 2: proc): operation not "
        "permitted";
    Report(report);
    std::fprintf(stderr, "%s\n", report.message.c_str());
    return 1;
  }
  if (mode == "exec-fail") {
    kekkai::SetupReport report;
    report.kind = kekkai::SetupReportKind::kExecFailed;
    report.err = number;
    report.message = absl::StrCat("kekkai-init: cannot start program ",
                                  init->params.path.has_value()
                                      ? init->params.path->str()
                                      : "(nil)",
                                  ": ", kekkai::ErrnoDescription(number));
    Report(report);
    return 1;
  }
  if (mode == "silent") return number;
  if (mode == "bad-report") {
    const char garbage[] = {8, 0, 0, 0, 99, 1, 2, 3, 4, 5, 6, 7};
    (void)!write(kSetupFd, garbage, sizeof(garbage));
    return 0;
  }
  if (mode == "block") {
    return Block(!rest.empty() && rest[0] == "--fork");
  }
  if (mode == "ignore-cancel") {
    ReportStarted();
    for (;;) pause();
  }
  std::fprintf(stderr, "shim_fake_init: unknown mode \"%s\"\n", mode.c_str());
  return 2;
}
