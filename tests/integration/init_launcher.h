// A small C++ launcher for kekkai-init, for the integration tests: it starts
// init exactly the way hakurei's Go launcher does (HAKUREI.md §1.5), so the
// tests exercise init as a hakurei launcher drives it, independently of
// libkekkai's own launcher.
//
// On a dedicated thread that lives until init is reaped (Pdeathsig is tied
// to the thread, as in hakurei): no_new_privs and a Landlock ruleset that
// only scopes signals and abstract unix sockets, then clone3 with new user,
// pid, mount, ipc, uts, cgroup (and net unless host_net) namespaces. The
// child (async-signal-safe code only: the test process has threads) sets
// Pdeathsig, setsid unless retain_session, raises ambient CAP_SYS_ADMIN,
// CAP_SETPCAP and CAP_DAC_OVERRIDE (capset of inheritable + PR_CAP_AMBIENT;
// optionally CAP_NET_ADMIN too), places the setup fd at 3 and the extra
// files at 4, 5, ..., and execs init with argv ["init"] and the environment
// exactly HAKUREI_SETUP=3. The parent then writes the gob-encoded
// InitParams and closes the pipe (or, in report mode, writes to a
// socketpair, shuts down its write side and later reads the setup reports).
//
// Init's stdout and stderr are captured in memfds; stdin is /dev/null.
#ifndef KEKKAI_TESTS_INTEGRATION_INIT_LAUNCHER_H_
#define KEKKAI_TESTS_INTEGRATION_INIT_LAUNCHER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/params.h"
#include "common/setup_report.h"

namespace kekkai::testing {

struct LaunchSpec {
  InitParams params;
  // Bytes to send instead of Encode(params) (a corrupt stream).
  std::optional<std::string> raw_setup;
  // The environment init gets instead of {"HAKUREI_SETUP=3"}.
  std::optional<std::vector<std::string>> env;
  // Files for the payload (fds 4, 5, ... in init; 3, 4, ... in the payload).
  // Borrowed until Start() returns. params.count is set from this.
  std::vector<int> extra_files;
  // The setup fd is a socketpair and params.kekkai_report is set: init
  // writes setup reports, returned by Wait().
  bool report = false;
  // Also raise CAP_NET_ADMIN ambient, so init can bring up lo.
  bool net_admin = false;
  // Close the setup fd without writing anything.
  bool send_nothing = false;
  std::string init_path;  // default: BinaryPath("kekkai-init")
  // Init is SIGKILLed after this long (a hung test fails, it does not hang).
  std::chrono::milliseconds timeout{20000};
};

struct LaunchResult {
  int wait_status = -1;  // init's, as waitpid reports it
  bool timed_out = false;
  std::string out;  // init's (and the payload's) stdout
  std::string err;  // stderr
  std::vector<SetupReport> reports;
  absl::Status reports_status;  // DecodeSetupReports' verdict

  bool exited() const;
  int exit_code() const;  // -1 unless exited()
  // For failure messages: "exit 3; stdout: ...; stderr: ...".
  std::string Describe() const;
};

class InitProcess {
 public:
  // Clones init and sends it the setup (unless spec.send_nothing).
  static absl::StatusOr<std::unique_ptr<InitProcess>> Start(LaunchSpec spec);
  ~InitProcess();
  InitProcess(const InitProcess&) = delete;
  InitProcess& operator=(const InitProcess&) = delete;

  // init's pid in the test's pid namespace.
  pid_t pid() const;
  absl::Status Signal(int sig);
  // Waits for init (at most spec.timeout from the start), then collects
  // its output and reports. Call once.
  LaunchResult Wait();

  struct State;

 private:
  explicit InitProcess(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Start + Wait. A failed start is reported as a LaunchResult with
// wait_status -1 and the error in `err`.
LaunchResult RunInit(LaunchSpec spec);

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_INTEGRATION_INIT_LAUNCHER_H_
