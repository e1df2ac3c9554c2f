#include "tests/integration/cli_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/testing/test_paths.h"

extern char** environ;

namespace kekkai::cli::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MillisUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// fds at or above this are used for staging in the child's file actions, so
// a dup2 never targets a staging fd.
constexpr int kStageFd = 200;

}  // namespace

std::string Outcome::Describe() const {
  std::string head;
  if (timed_out) {
    head = "timed out";
  } else if (exited) {
    head = absl::StrCat("exited ", exit_code);
  } else {
    head = absl::StrCat("killed by signal ", term_signal);
  }
  return absl::StrCat(head, "\n--- stdout ---\n", out, "\n--- stderr ---\n",
                      err);
}

Child::Child(Child&& other) noexcept { *this = std::move(other); }

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    Reset();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    err_fd_ = std::exchange(other.err_fd_, -1);
    out_ = std::move(other.out_);
    err_ = std::move(other.err_);
  }
  return *this;
}

Child::~Child() { Reset(); }

void Child::Reset() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  out_fd_ = err_fd_ = -1;
}

Child Child::Start(const std::vector<std::string>& argv,
                   const SpawnOptions& options, std::string* error) {
  Child child;
  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    *error = absl::StrCat("pipe2: ", strerror(errno));
    return child;
  }
  if (options.stdin_data.has_value() && pipe2(in_pipe, O_CLOEXEC) != 0) {
    *error = absl::StrCat("pipe2: ", strerror(errno));
    return child;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Stage every source fd above kStageFd first, so the dup2s below cannot
  // clobber a source that is also a target.
  std::map<int, int> sources = options.fds;
  sources[1] = out_pipe[1];
  sources[2] = err_pipe[1];
  if (in_pipe[0] >= 0) sources[0] = in_pipe[0];
  std::vector<int> staged;
  int next = kStageFd;
  for (const auto& [target, source] : sources) {
    const int stage = fcntl(source, F_DUPFD_CLOEXEC, next);
    if (stage < 0) {
      *error = absl::StrCat("fcntl(F_DUPFD_CLOEXEC): ", strerror(errno));
      return child;
    }
    next = stage + 1;
    staged.push_back(stage);
    posix_spawn_file_actions_adddup2(&actions, stage, target);
  }
  if (!options.stdin_data.has_value() && sources.count(0) == 0) {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with default signal handling and an empty mask, as a
  // shell would start it.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> c_argv;
  for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  if (options.env.has_value()) {
    for (const std::string& e : *options.env) {
      c_env.push_back(const_cast<char*>(e.c_str()));
    }
    c_env.push_back(nullptr);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(),
                             options.env.has_value() ? c_env.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (int fd : staged) close(fd);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (in_pipe[0] >= 0) close(in_pipe[0]);
  if (rc != 0) {
    *error = absl::StrCat("posix_spawn(", argv[0], "): ", strerror(rc));
    close(out_pipe[0]);
    close(err_pipe[0]);
    if (in_pipe[1] >= 0) close(in_pipe[1]);
    return child;
  }
  child.pid_ = pid;
  child.out_fd_ = out_pipe[0];
  child.err_fd_ = err_pipe[0];
  if (in_pipe[1] >= 0) {
    // Small inputs only: this write must not block on a full pipe.
    const std::string& data = *options.stdin_data;
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = write(in_pipe[1], data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(in_pipe[1]);
  }
  return child;
}

bool Child::Pump(int timeout_ms) {
  struct pollfd pfds[2];
  int n = 0;
  if (out_fd_ >= 0) pfds[n++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) pfds[n++] = {err_fd_, POLLIN, 0};
  if (n == 0) return false;
  const int rc = poll(pfds, static_cast<nfds_t>(n), timeout_ms);
  if (rc <= 0) return true;
  for (int i = 0; i < n; ++i) {
    if (pfds[i].revents == 0) continue;
    char buf[8192];
    const ssize_t got = read(pfds[i].fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    const bool is_out = pfds[i].fd == out_fd_;
    if (got <= 0) {
      close(pfds[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
      continue;
    }
    (is_out ? out_ : err_).append(buf, static_cast<size_t>(got));
  }
  return true;
}

bool Child::WaitForStdout(const std::string& text,
                          std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (out_.find(text) == std::string::npos) {
    const int left = MillisUntil(deadline);
    if (left == 0) return false;
    if (!Pump(left)) return out_.find(text) != std::string::npos;
    if (out_fd_ < 0 && out_.find(text) == std::string::npos) return false;
  }
  return true;
}

void Child::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

Outcome Child::Wait(std::chrono::milliseconds timeout) {
  Outcome outcome;
  const auto deadline = Clock::now() + timeout;
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    const int left = MillisUntil(deadline);
    if (left == 0) {
      outcome.timed_out = true;
      kill(pid_, SIGKILL);
      break;
    }
    Pump(left);
  }
  int status = 0;
  if (pid_ > 0) {
    for (;;) {
      const pid_t got = waitpid(pid_, &status, outcome.timed_out ? 0 : WNOHANG);
      if (got == pid_) break;
      if (got < 0 && errno != EINTR) break;
      if (got == 0) {
        // Output closed but the child lives on (it closed its stdio).
        if (MillisUntil(deadline) == 0) {
          outcome.timed_out = true;
          kill(pid_, SIGKILL);
        } else {
          usleep(1000);
        }
      }
    }
    pid_ = -1;
  }
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.term_signal = WTERMSIG(status);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  out_fd_ = err_fd_ = -1;
  outcome.out = out_;
  outcome.err = err_;
  return outcome;
}

std::string KekkaiPath() { return kekkai::testing::BinaryPath("kekkai"); }
std::string ProbePath() { return kekkai::testing::BinaryPath("cli_probe"); }
std::string ProbeDir() {
  const std::string path = ProbePath();
  return path.substr(0, path.rfind('/'));
}

Outcome RunKekkai(const std::vector<std::string>& args,
                  const SpawnOptions& options) {
  std::vector<std::string> argv = {KekkaiPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string error;
  Child child = Child::Start(argv, options, &error);
  if (child.pid() < 0) {
    Outcome outcome;
    outcome.err = error;
    return outcome;
  }
  return child.Wait(std::chrono::seconds(30));
}

std::vector<std::string> SystemOptions() {
  std::vector<std::string> options = {"--ro-bind", "/usr", "/usr"};
  for (const char* path : {"/bin", "/sbin", "/lib", "/lib32", "/lib64",
                           "/libx32"}) {
    struct stat st;
    if (lstat(path, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      const ssize_t n = readlink(path, buf, sizeof(buf) - 1);
      if (n <= 0) continue;
      options.insert(options.end(),
                     {"--symlink", std::string(buf, static_cast<size_t>(n)),
                      path});
    } else if (S_ISDIR(st.st_mode)) {
      options.insert(options.end(), {"--ro-bind", path, path});
    }
  }
  options.insert(options.end(), {"--ro-bind", "/etc", "/etc", "--proc",
                                 "/proc", "--dev", "/dev", "--perms", "1777",
                                 "--tmpfs", "/tmp"});
  return options;
}

std::vector<std::string> ProbeArgs(std::vector<std::string> options,
                                   const std::vector<std::string>& probe_args) {
  std::vector<std::string> args = {"run"};
  for (const std::string& option : SystemOptions()) args.push_back(option);
  args.insert(args.end(), {"--ro-bind", ProbeDir(), ProbeDir()});
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--");
  args.push_back(ProbePath());
  args.insert(args.end(), probe_args.begin(), probe_args.end());
  return args;
}

namespace {

// Fields of /proc/PID/stat after the command: state is [0], ppid is [1].
std::optional<std::vector<std::string>> StatFields(pid_t pid) {
  std::optional<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.has_value()) return std::nullopt;
  const size_t close_paren = stat->rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  return std::vector<std::string>(
      absl::StrSplit(stat->substr(close_paren + 2), ' '));
}

std::vector<pid_t> AllPids() {
  std::vector<pid_t> pids;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return pids;
  while (struct dirent* entry = readdir(dir)) {
    int pid = 0;
    if (absl::SimpleAtoi(entry->d_name, &pid)) pids.push_back(pid);
  }
  closedir(dir);
  return pids;
}

}  // namespace

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  for (pid_t pid : AllPids()) {
    std::optional<std::vector<std::string>> fields = StatFields(pid);
    if (!fields.has_value() || fields->size() < 2) continue;
    if ((*fields)[0] == "Z" || (*fields)[0] == "X") continue;
    int ppid = 0;
    if (absl::SimpleAtoi((*fields)[1], &ppid) && ppid == parent) {
      children.push_back(pid);
    }
  }
  return children;
}

std::vector<pid_t> ProcessesWithMarker(const std::string& marker) {
  std::vector<pid_t> found;
  for (pid_t pid : AllPids()) {
    if (pid == getpid()) continue;
    std::optional<std::string> cmdline =
        ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
    if (!cmdline.has_value() || cmdline->find(marker) == std::string::npos) {
      continue;
    }
    std::optional<std::vector<std::string>> fields = StatFields(pid);
    if (fields.has_value() && !fields->empty() && (*fields)[0] == "Z") continue;
    found.push_back(pid);
  }
  return found;
}

std::string DescribeProcesses(const std::vector<pid_t>& pids) {
  std::string out;
  for (pid_t pid : pids) {
    std::string comm =
        ReadFile(absl::StrCat("/proc/", pid, "/comm")).value_or("?\n");
    std::string cmdline =
        ReadFile(absl::StrCat("/proc/", pid, "/cmdline")).value_or("");
    absl::StrAppend(&out, pid, " ", comm.substr(0, comm.size() - 1), " ",
                    absl::StrReplaceAll(cmdline, {{std::string(1, '\0'), " "}}),
                    "\n");
  }
  return out;
}

void ReapZombies() {
  int status;
  while (waitpid(-1, &status, WNOHANG) > 0) {
  }
}

TempDir::TempDir() {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                                  "/kekkai-cli-test.XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  nftw(
      path_.c_str(),
      [](const char* path, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP) {
          rmdir(path);
        } else {
          unlink(path);
        }
        return 0;
      },
      16, FTW_DEPTH | FTW_PHYS);
}

void TempDir::WriteFile(const std::string& name,
                        const std::string& data) const {
  const std::string path = Sub(name);
  std::ofstream out(path, std::ios::binary);
  out << data;
}

void TempDir::MakeDir(const std::string& name) const {
  mkdir(Sub(name).c_str(), 0755);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

}  // namespace kekkai::cli::testing
