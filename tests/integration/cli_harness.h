// Test harness for the kekkai CLI's end-to-end tests: runs the real `kekkai`
// binary (found with BinaryPath, so the unprivileged staging works) as a
// child process with chosen fds, environment and stdin, captures its stdout
// and stderr, and offers what the lifecycle tests need (wait for output, send
// signals, find leftover processes).
#ifndef KEKKAI_TESTS_INTEGRATION_CLI_HARNESS_H_
#define KEKKAI_TESTS_INTEGRATION_CLI_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kekkai::cli::testing {

struct SpawnOptions {
  // Child fd -> fd of this process to put there (dup2'ed in the child).
  std::map<int, int> fds;
  // Written to the child's stdin (which is then closed). Unset: /dev/null.
  std::optional<std::string> stdin_data;
  // The child's whole environment. Unset: this process's.
  std::optional<std::vector<std::string>> env;
  // The child's working directory. Empty: this process's.
  std::string cwd;
};

struct Outcome {
  bool exited = false;     // exited normally (exit_code valid)
  int exit_code = -1;
  int term_signal = 0;     // killed by this signal
  bool timed_out = false;  // Wait's deadline passed (the child was killed)
  std::string out;         // stdout
  std::string err;         // stderr
  std::string Describe() const;  // for failure messages
};

// One child process with piped stdout and stderr.
class Child {
 public:
  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // kills and reaps the child if still running

  // Starts argv[0] (a path) with posix_spawn; returns an unstarted Child
  // (pid() < 0) and sets *error on failure.
  static Child Start(const std::vector<std::string>& argv,
                     const SpawnOptions& options, std::string* error);

  pid_t pid() const { return pid_; }
  // Reads stdout/stderr until stdout contains `text`; false on timeout or
  // when the child closed its output first.
  bool WaitForStdout(const std::string& text,
                     std::chrono::milliseconds timeout);
  void Signal(int sig);
  // Reads all output and reaps the child; after `timeout` the child is
  // killed with SIGKILL and the outcome says timed_out.
  Outcome Wait(std::chrono::milliseconds timeout);
  // The output read so far.
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // One poll round over the open pipes; false when both are at EOF.
  bool Pump(int timeout_ms);
  void Reset();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

// The kekkai binary under test.
std::string KekkaiPath();
// The cli_probe helper and the directory it is in (to bind into containers).
std::string ProbePath();
std::string ProbeDir();

// Runs `kekkai ARGS...` to completion (30 s at most).
Outcome RunKekkai(const std::vector<std::string>& args,
                  const SpawnOptions& options = {});

// The host's system directories as `kekkai run` options that rebuild the
// default sandbox (/usr, the /bin.. links or binds, /etc, /proc, /dev, /tmp),
// for tests that add their own filesystem options.
std::vector<std::string> SystemOptions();

// "run", the system options, a read-only bind of the probe's directory,
// `options`, "--", the probe and `probe_args`.
std::vector<std::string> ProbeArgs(std::vector<std::string> options,
                                   const std::vector<std::string>& probe_args);

// Live (non-zombie) processes whose parent is `parent`.
std::vector<pid_t> ChildrenOf(pid_t parent);
// Live processes whose command line contains `marker`.
std::vector<pid_t> ProcessesWithMarker(const std::string& marker);
// "<pid> <comm> <cmdline>" lines for failure messages.
std::string DescribeProcesses(const std::vector<pid_t>& pids);
// Reaps every zombie child of this process (waitpid(-1, WNOHANG) until none).
void ReapZombies();

// A fresh directory under $TMPDIR (or /tmp), removed recursively on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Creates a file (and its parents) with `data`.
  void WriteFile(const std::string& name, const std::string& data) const;
  void MakeDir(const std::string& name) const;

 private:
  std::string path_;
};

// The contents of `path`, or nullopt when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path);

}  // namespace kekkai::cli::testing

#endif  // KEKKAI_TESTS_INTEGRATION_CLI_HARNESS_H_
