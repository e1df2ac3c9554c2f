// Shared by the launcher's integration tests: running a container whose
// stdout the test reads, parsing shim_fake_init's "key=value" facts, and
// checking that nothing was left behind (children, fds).
#ifndef KEKKAI_TESTS_INTEGRATION_SHIM_TEST_UTIL_H_
#define KEKKAI_TESTS_INTEGRATION_SHIM_TEST_UTIL_H_

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "common/unique_fd.h"
#include "shim/container.h"
#include "tests/testing/test_paths.h"

namespace kekkai::testing {

inline std::string FakeInit() { return BinaryPath("shim_fake_init"); }

// Params for shim_fake_init: args[1] is its mode.
inline Params FakeParams(std::vector<std::string> mode) {
  Params params;
  params.path = AbsolutePath::Literal("/fake");
  params.args = {"fake"};
  params.args.insert(params.args.end(), mode.begin(), mode.end());
  params.ops = OpsBuilder().Proc("/proc").Build().value();
  return params;
}

inline LaunchOptions FakeOptions() {
  LaunchOptions options;
  options.init_path = FakeInit();
  return options;
}

// Reads `fd` to EOF.
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return out;
    }
  }
}

// A pipe whose write end becomes the container's stdout.
struct StdoutPipe {
  UniqueFd read_end;
  UniqueFd write_end;
  StdoutPipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read_end.reset(fds[0]);
      write_end.reset(fds[1]);
    }
  }
};

struct RunOutput {
  Result result;
  std::string out;
};

// Start + Serve + Wait with stdout captured.
inline RunOutput RunCaptured(Params params, LaunchOptions options) {
  StdoutPipe pipe;
  options.stdout_fd = pipe.write_end.get();
  Container container(std::move(params), std::move(options));
  const absl::Status started = container.Start();
  pipe.write_end.reset();  // init has its copy
  if (started.ok()) (void)container.Serve();
  RunOutput output;
  output.result = container.Wait();
  output.out = ReadAll(pipe.read_end.get());
  return output;
}

inline std::map<std::string, std::string> ParseFacts(const std::string& out) {
  std::map<std::string, std::string> facts;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    facts[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return facts;
}

// The pids of every child of every thread of this process.
inline std::vector<pid_t> OwnChildren() {
  std::vector<pid_t> children;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return children;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + entry->d_name +
                     "/children");
    pid_t pid;
    while (in >> pid) children.push_back(pid);
  }
  closedir(dir);
  return children;
}

inline int CountOpenFds() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory's own fd
}

// NoNewPrivs of every thread of this process ("0"/"1" each).
inline std::vector<std::string> ThreadsNoNewPrivs() {
  std::vector<std::string> values;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return values;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + entry->d_name +
                     "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("NoNewPrivs:", 0) == 0) {
        values.push_back(line.substr(line.find_last_of(" \t") + 1));
      }
    }
  }
  closedir(dir);
  return values;
}

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_INTEGRATION_SHIM_TEST_UTIL_H_
