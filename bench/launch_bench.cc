// launch_bench: kekkai against bubblewrap on one sandbox shape, in one run.
//
// What it compares (bench/README.md has the method and the results):
//   kekkai run    the CLI: `kekkai run SHAPE -- /usr/bin/true`
//   bwrap         Debian's bwrap with the same shape and the identical
//                 seccomp filter (`kekkai seccomp export --presets strict`,
//                 handed to --seccomp on a fresh fd each time)
//   lib cold      libkekkai from this process: Container + Start + Serve +
//                 Wait
//   lib warm      libkekkai with Start done ahead (the container sits
//                 started while the other kinds run): Serve + Wait
//   floor         bench/floor.c: clone into the namespaces, write the maps,
//                 exec /usr/bin/true (no mounts, no filter)
// Latency rounds are interleaved (every kind once per round, in a shuffled
// order), so machine noise hits every kind alike. Then throughput (containers per
// second, sequential and with 2 and 8 in parallel) for bwrap and libkekkai,
// alternating between the two, and peak RSS (VmHWM sampled from
// /proc/PID/status while the payload sleeps, after setup has finished).
//
// The targets (issue 7) are printed with the measured ratios; nothing here
// asserts them.
//
// usage: launch_bench [--rounds N] [--throughput-count N]
//                     [--throughput-reps N] [--no-throughput] [--no-rss]
//                     [--only cli|bwrap|cold|warm|floor] [--bwrap PATH]
// --only runs the latency rounds of one kind alone, for profiling.
// kekkai, kekkai-init and bench-floor are taken from this program's
// directory.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "shim/cli/options.h"
#include "shim/container.h"

extern char** environ;

namespace kekkai::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The sandbox shape every launcher gets: every namespace (kekkai always
// makes them; bwrap --unshare-all), /usr read-only with the merged-/usr
// links, a new /proc, a minimal /dev, a tmpfs /tmp.
const std::vector<std::string>& Shape() {
  static const std::vector<std::string> shape = {
      "--ro-bind", "/usr",      "/usr",   "--symlink", "usr/bin",
      "/bin",      "--symlink", "usr/lib", "/lib",      "--symlink",
      "usr/lib64", "/lib64",    "--proc", "/proc",     "--dev",
      "/dev",      "--tmpfs",   "/tmp"};
  return shape;
}

constexpr char kPayload[] = "/usr/bin/true";
constexpr int kFilterFd = 9;

struct Options {
  int rounds = 40;
  int throughput_count = 24;
  int throughput_reps = 7;
  bool throughput = true;
  bool rss = true;
  int only = -1;  // --only KIND: latency rounds of that kind alone (profiling)
  std::string bwrap = "/usr/bin/bwrap";
  std::string bin_dir;
  std::string filter_path;  // the exported strict filter
};

int64_t Nanos(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from)
      .count();
}

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Starts args[0] with stdout on `stdout_path` (default /dev/null) and, when
// `fd9_path` is set, kFilterFd opened read-only on it.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const char* fd9_path,
                            const char* stdout_path = "/dev/null") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path,
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd9_path != nullptr) {
    posix_spawn_file_actions_addopen(&actions, kFilterFd, fd9_path, O_RDONLY,
                                     0);
  }
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(),
                              environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return ErrnoStatus(err, absl::StrCat("posix_spawn ", args[0]));
  return pid;
}

absl::Status Reap(pid_t pid, const std::string& what) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, absl::StrCat("waitpid ", what));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat(what, " failed: wait status ", status));
  }
  return absl::OkStatus();
}

// Waits for every child of this process except `keep`: with
// PR_SET_CHILD_SUBREAPER on, that is whatever a launcher left running when
// it exited. bwrap's monitor exits as soon as the sandbox's pid 1 reports
// the payload's status, before that pid 1 is gone; without this its CPU time
// (the whole sandbox set-up happens in it) would be reaped by the system's
// init and missing from getrusage(RUSAGE_CHILDREN).
absl::Status ReapOrphans(pid_t keep) {
  std::vector<pid_t> children;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return ErrnoStatus(errno, "opendir /proc/self/task");
  while (const struct dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream list(
        absl::StrCat("/proc/self/task/", entry->d_name, "/children"));
    for (pid_t pid; list >> pid;) {
      if (pid != keep) children.push_back(pid);
    }
  }
  closedir(tasks);
  for (pid_t pid : children) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  return absl::OkStatus();
}

// Runs a command to completion; its wall time in ns.
absl::StatusOr<int64_t> TimeCommand(const std::vector<std::string>& args,
                                    const char* fd9_path) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<pid_t> pid = Spawn(args, fd9_path);
  if (!pid.ok()) return pid.status();
  KEKKAI_RETURN_IF_ERROR(Reap(*pid, args[0]));
  return Nanos(start, Clock::now());
}

// The launchers under test.
class Launchers {
 public:
  explicit Launchers(const Options& options, cli::RunSpec spec)
      : options_(options), spec_(std::move(spec)) {
    cli_args_ = {options.bin_dir + "/kekkai", "run"};
    bwrap_args_ = {options.bwrap, "--unshare-all", "--unshare-user",
                   "--new-session", "--die-with-parent"};
    for (const std::string& arg : Shape()) {
      cli_args_.push_back(arg);
      bwrap_args_.push_back(arg);
    }
    cli_args_.insert(cli_args_.end(), {"--", kPayload});
    bwrap_args_.insert(bwrap_args_.end(), {"--seccomp",
                                           std::to_string(kFilterFd), "--",
                                           kPayload});
    floor_args_ = {options.bin_dir + "/bench-floor", kPayload};
  }

  const std::vector<std::string>& cli_args() const { return cli_args_; }
  const std::vector<std::string>& bwrap_args() const { return bwrap_args_; }

  absl::StatusOr<int64_t> Cli() { return TimeCommand(cli_args_, nullptr); }
  absl::StatusOr<int64_t> Bwrap() {
    return TimeCommand(bwrap_args_, options_.filter_path.c_str());
  }
  absl::StatusOr<int64_t> Floor() { return TimeCommand(floor_args_, nullptr); }

  std::unique_ptr<Container> NewContainer() const {
    return std::make_unique<Container>(spec_.params, spec_.launch);
  }

  // The same container with `args` as its payload (args[0] absolute).
  absl::StatusOr<std::unique_ptr<Container>> NewContainerRunning(
      const std::vector<std::string>& args) const {
    Params params = spec_.params;
    KEKKAI_ASSIGN_OR_RETURN(params.path, AbsolutePath::Parse(args[0]));
    params.args = args;
    return std::make_unique<Container>(std::move(params), spec_.launch);
  }

  absl::StatusOr<int64_t> LibCold() {
    const Clock::time_point start = Clock::now();
    std::unique_ptr<Container> container = NewContainer();
    KEKKAI_RETURN_IF_ERROR(Finish(*container, true));
    return Nanos(start, Clock::now());
  }

  // Serve + Wait of a container started ahead; starts the next one after.
  absl::StatusOr<int64_t> LibWarm() {
    if (warm_ == nullptr) KEKKAI_RETURN_IF_ERROR(StartWarm());
    const Clock::time_point start = Clock::now();
    absl::Status status = Finish(*warm_, false);
    const int64_t ns = Nanos(start, Clock::now());
    warm_.reset();
    KEKKAI_RETURN_IF_ERROR(status);
    KEKKAI_RETURN_IF_ERROR(StartWarm());
    return ns;
  }

  void DropWarm() { warm_.reset(); }

  // The pid of the container started ahead (-1: none).
  pid_t warm_pid() const { return warm_ == nullptr ? -1 : warm_->pid(); }

  static absl::Status Finish(Container& container, bool start) {
    if (start) KEKKAI_RETURN_IF_ERROR(container.Start());
    KEKKAI_RETURN_IF_ERROR(container.Serve());
    const Result result = container.Wait();
    if (!result.ok()) {
      return absl::InternalError(absl::StrCat("container: ", result.ToString()));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status StartWarm() {
    warm_ = NewContainer();
    return warm_->Start();
  }

  const Options& options_;
  cli::RunSpec spec_;
  std::vector<std::string> cli_args_;
  std::vector<std::string> bwrap_args_;
  std::vector<std::string> floor_args_;
  std::unique_ptr<Container> warm_;
};

struct Summary {
  double median = 0, p10 = 0, p90 = 0;
};

Summary Summarize(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, values.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    return values[lo] * (1 - frac) + values[hi] * frac;
  };
  s.median = at(0.5);
  s.p10 = at(0.1);
  s.p90 = at(0.9);
  return s;
}

void Die(const absl::Status& status) {
  std::fprintf(stderr, "launch_bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

// Containers per second: `count` launches by `parallel` threads. Each
// thread gets its own launcher from `make_one` (destroyed before the clock
// stops, so its clean-up is counted). A thread claims its next launch
// before running the current one and tells the launcher whether one
// follows (`more`), so a pipelined launcher starts nothing it will not use.
using Launch = std::function<absl::Status(bool more)>;
absl::StatusOr<double> Throughput(int parallel, int count,
                                  const std::function<Launch()>& make_one) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  absl::Status first_error;
  std::atomic_flag error_taken = ATOMIC_FLAG_INIT;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&] {
      Launch one = make_one();
      for (int mine = next.fetch_add(1); !failed.load() && mine < count;) {
        const int following = next.fetch_add(1);
        if (absl::Status s = one(following < count); !s.ok()) {
          if (!error_taken.test_and_set()) first_error = s;
          failed = true;
        }
        mine = following;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const int64_t ns = Nanos(start, Clock::now());
  if (failed) return first_error;
  return static_cast<double>(count) * 1e9 / static_cast<double>(ns);
}

// libkekkai used as its warm path allows: each container is served, then
// the next one is started while the served one runs (when this thread has
// another launch to do), then the served one is waited for. Every Start is
// inside the measured time.
Launch PipelinedLauncher(const Launchers& launchers) {
  auto ahead = std::make_shared<std::unique_ptr<Container>>();
  return [&launchers, ahead](bool more) -> absl::Status {
    if (*ahead == nullptr) {
      *ahead = launchers.NewContainer();
      KEKKAI_RETURN_IF_ERROR((*ahead)->Start());
    }
    std::unique_ptr<Container> current = std::move(*ahead);
    KEKKAI_RETURN_IF_ERROR(current->Serve());
    absl::Status started = absl::OkStatus();
    if (more) {
      *ahead = launchers.NewContainer();
      started = (*ahead)->Start();
    }
    const Result result = current->Wait();
    KEKKAI_RETURN_IF_ERROR(started);
    if (!result.ok()) {
      return absl::InternalError(absl::StrCat("container: ", result.ToString()));
    }
    return absl::OkStatus();
  };
}

// A "Name:   123 kB" field of /proc/PID/status in KiB, or -1 when it
// cannot be read (gone, or no mm).
int64_t ReadStatusKib(pid_t pid, const char* field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) != 0) continue;
    int64_t kib = -1;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (!absl::SimpleAtoi(digits, &kib)) return -1;
    return kib;
  }
  return -1;
}

// The first child of `pid` (bwrap's sandbox pid 1), or -1.
pid_t FirstChild(pid_t pid) {
  std::ifstream children(absl::StrCat("/proc/", pid, "/task/", pid, "/children"));
  pid_t child = -1;
  if (!(children >> child)) return -1;
  return child;
}

struct Peak {
  int64_t hwm = -1;   // VmHWM: the high-water mark of the whole RSS
  int64_t anon = -1;  // the highest RssAnon seen: memory of its own
  // The lowest per-run VmHWM: runs that disagree by half mean the sampling
  // missed the process (an earlier version sampled a kekkai-init whose
  // payload had already exited and read 12 KiB).
  int64_t hwm_low = -1;
  void Merge(const Peak& other) {
    hwm = std::max(hwm, other.hwm);
    anon = std::max(anon, other.anon);
    if (other.hwm >= 0) {
      hwm_low = hwm_low < 0 ? other.hwm : std::min(hwm_low, other.hwm);
    }
  }
};

// Samples the process `pid_of()` names every 5 ms for `duration`.
Peak SamplePeak(const std::function<pid_t()>& pid_of,
                std::chrono::milliseconds duration) {
  Peak peak;
  const Clock::time_point end = Clock::now() + duration;
  while (Clock::now() < end) {
    if (const pid_t pid = pid_of(); pid > 0) {
      peak.hwm = std::max(peak.hwm, ReadStatusKib(pid, "VmHWM:"));
      peak.anon = std::max(peak.anon, ReadStatusKib(pid, "RssAnon:"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return peak;
}

struct Rss {
  Peak cli, init, bwrap, bwrap_init;
};

// Peak RSS, each the highest of five runs whose payload sleeps 0.4 s;
// sampling covers the setup and stops while the payload still sleeps.
absl::StatusOr<Rss> MeasureRss(const Options& options, Launchers& launchers) {
  Rss rss;
  const std::vector<std::string> sleep_payload = {"/usr/bin/sleep", "0.4"};
  auto with_sleep = [&](std::vector<std::string> args) {
    args.resize(args.size() - 1);  // drop kPayload
    args.insert(args.end(), sleep_payload.begin(), sleep_payload.end());
    return args;
  };
  const std::vector<std::string> cli = with_sleep(launchers.cli_args());
  const std::vector<std::string> bwrap = with_sleep(launchers.bwrap_args());
  const std::chrono::milliseconds window(300);
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<pid_t> pid = Spawn(cli, nullptr);
    if (!pid.ok()) return pid.status();
    rss.cli.Merge(SamplePeak([&] { return *pid; }, window));
    KEKKAI_RETURN_IF_ERROR(Reap(*pid, "kekkai run"));

    // bwrap's monitor and, separately, its sandbox's pid 1 (a fork of
    // bwrap that does the set-up and reaps the payload: what kekkai-init
    // is to kekkai).
    pid = Spawn(bwrap, options.filter_path.c_str());
    if (!pid.ok()) return pid.status();
    pid_t sandbox_init = -1;
    Peak monitor;
    const Peak child = SamplePeak(
        [&] {
          monitor.hwm = std::max(monitor.hwm, ReadStatusKib(*pid, "VmHWM:"));
          monitor.anon =
              std::max(monitor.anon, ReadStatusKib(*pid, "RssAnon:"));
          if (sandbox_init <= 0) sandbox_init = FirstChild(*pid);
          return sandbox_init;
        },
        window);
    rss.bwrap.Merge(monitor);
    rss.bwrap_init.Merge(child);
    KEKKAI_RETURN_IF_ERROR(Reap(*pid, "bwrap"));

    KEKKAI_ASSIGN_OR_RETURN(std::unique_ptr<Container> container,
                            launchers.NewContainerRunning(sleep_payload));
    KEKKAI_RETURN_IF_ERROR(container->Start());
    KEKKAI_RETURN_IF_ERROR(container->Serve());
    const pid_t init = container->pid();
    rss.init.Merge(SamplePeak([&] { return init; }, window));
    const Result result = container->Wait();
    if (!result.ok()) {
      return absl::InternalError(absl::StrCat("container: ", result.ToString()));
    }
  }
  return rss;
}

std::string ProgramDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto number = [&](int& out) {
      if (i + 1 >= argc || !absl::SimpleAtoi(argv[i + 1], &out) || out < 1) {
        std::fprintf(stderr, "launch_bench: %s needs a positive number\n",
                     arg.c_str());
        std::exit(2);
      }
      ++i;
    };
    if (arg == "--rounds") {
      number(options.rounds);
    } else if (arg == "--throughput-count") {
      number(options.throughput_count);
    } else if (arg == "--throughput-reps") {
      number(options.throughput_reps);
    } else if (arg == "--no-throughput") {
      options.throughput = false;
    } else if (arg == "--no-rss") {
      options.rss = false;
    } else if (arg == "--only" && i + 1 < argc) {
      const std::string kind = argv[++i];
      const char* kinds[] = {"cli", "bwrap", "cold", "warm", "floor"};
      for (int k = 0; k < 5; ++k) {
        if (kind == kinds[k]) options.only = k;
      }
      if (options.only < 0) {
        std::fprintf(stderr, "launch_bench: --only cli|bwrap|cold|warm|floor\n");
        std::exit(2);
      }
      options.throughput = false;
      options.rss = false;
    } else if (arg == "--bwrap" && i + 1 < argc) {
      options.bwrap = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: launch_bench [--rounds N] [--throughput-count N] "
                   "[--throughput-reps N] [--no-throughput] [--no-rss] "
                   "[--only cli|bwrap|cold|warm|floor] [--bwrap PATH]\n");
      std::exit(2);
    }
  }
  options.bin_dir = ProgramDir();
  return options;
}

// `kekkai seccomp export --presets strict` into a temporary file, which is
// unlinked at once and kept open: what bwrap opens as fd 9 is
// /proc/self/fd/N (reopened in each child, offset 0), so nothing is left in
// /tmp however the benchmark ends.
absl::StatusOr<std::string> ExportFilter(const Options& options) {
  char path[] = "/tmp/kekkai-bench-filter-XXXXXX";
  UniqueFd written(mkostemp(path, O_CLOEXEC));
  if (!written.valid()) return ErrnoStatus(errno, "mkstemp");
  UniqueFd kept(open(path, O_RDONLY | O_CLOEXEC));
  const int open_errno = errno;
  unlink(path);
  if (!kept.valid()) return ErrnoStatus(open_errno, "open the filter file");
  const std::string kept_path = absl::StrCat("/proc/self/fd/", kept.get());
  absl::StatusOr<pid_t> pid =
      Spawn({options.bin_dir + "/kekkai", "seccomp", "export", "--presets",
             "strict"},
            nullptr, kept_path.c_str());
  if (!pid.ok()) return pid.status();
  KEKKAI_RETURN_IF_ERROR(Reap(*pid, "kekkai seccomp export"));
  struct stat st;
  if (fstat(kept.get(), &st) != 0 || st.st_size == 0 || st.st_size % 8 != 0) {
    return absl::InternalError("kekkai seccomp export wrote no filter");
  }
  static UniqueFd filter_fd;  // open for the rest of the run
  filter_fd = std::move(kept);
  return kept_path;
}

// CPU time (user + system) of this process and of every descendant it has
// reaped, in ns: a launch's cost whatever else the machine is doing. The
// spawner thread's clone and init (reaped by libkekkai's Wait) count as
// this process's; bwrap's and kekkai's children count through them.
int64_t CpuNanos() {
  int64_t total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    struct rusage usage;
    if (getrusage(who, &usage) != 0) continue;
    for (const struct timeval& tv : {usage.ru_utime, usage.ru_stime}) {
      total += static_cast<int64_t>(tv.tv_sec) * 1000000000 +
               static_cast<int64_t>(tv.tv_usec) * 1000;
    }
  }
  return total;
}

void PrintRow(const char* name, const Summary& s, const Summary& bwrap) {
  std::printf("  %-22s %8.2f  %8.2f  %8.2f   %5.2fx\n", name, s.median / 1e6,
              s.p10 / 1e6, s.p90 / 1e6, s.median / bwrap.median);
}

const char* Verdict(bool met) { return met ? "met" : "NOT met"; }

int Main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  if (access(options.bwrap.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "launch_bench: %s not found (apt-get install bubblewrap)\n",
                 options.bwrap.c_str());
    return 1;
  }
  absl::StatusOr<std::string> filter = ExportFilter(options);
  if (!filter.ok()) Die(filter.status());
  options.filter_path = *filter;

  std::vector<std::string> run_args = Shape();
  run_args.insert(run_args.end(), {"--", kPayload});
  absl::StatusOr<cli::RunSpec> spec =
      cli::ParseRunArgs(cli::Command::kRun, run_args, cli::SystemHostView());
  if (!spec.ok()) Die(spec.status());
  Launchers launchers(options, *std::move(spec));

  std::printf("machine: %u CPUs; %s as uid %d\n",
              std::thread::hardware_concurrency(), options.bin_dir.c_str(),
              static_cast<int>(getuid()));
  std::printf("payload: %s; shape:", kPayload);
  for (const std::string& arg : Shape()) std::printf(" %s", arg.c_str());
  std::printf("\n\n");

  // Warm-up: one of each, untimed (page cache, first-use costs).
  using Timed = absl::StatusOr<int64_t> (Launchers::*)();
  for (Timed fn : {&Launchers::Cli, &Launchers::Bwrap, &Launchers::LibCold,
                   &Launchers::Floor}) {
    if (absl::StatusOr<int64_t> ns = (launchers.*fn)(); !ns.ok()) {
      Die(ns.status());
    }
  }

  enum Kind { kCli, kBwrap, kCold, kWarm, kFloor, kKinds };
  const char* names[kKinds] = {"kekkai run", "bwrap", "libkekkai cold",
                               "libkekkai warm", "floor"};
  std::vector<double> samples[kKinds];
  std::vector<double> cpu[kKinds];  // CPU ns per launch (not warm)
  // Until every process of the launch is reaped (not warm): bwrap reports
  // the payload's status before its sandbox's pid 1 has exited and torn the
  // namespaces down; libkekkai and `kekkai run` return after that.
  std::vector<double> gone[kKinds];
  // Each round runs every kind once, in an order shuffled per round (fixed
  // seed): a launch pays for the kernel's deferred clean-up of the one
  // before it (network namespaces are torn down by a kworker), so no kind
  // may always follow the same one.
  // Orphans of a launcher become this process's children while the rounds
  // run (ReapOrphans), so their CPU time is counted; off again before the
  // throughput runs, which do not reap them.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    Die(ErrnoStatus(errno, "prctl(PR_SET_CHILD_SUBREAPER)"));
  }
  std::mt19937 shuffle_rng(1);
  int order[kKinds] = {kCli, kBwrap, kCold, kWarm, kFloor};
  for (int round = 0; round < options.rounds; ++round) {
    std::shuffle(std::begin(order), std::end(order), shuffle_rng);
    for (int kind : order) {
      if (options.only >= 0 && kind != options.only) continue;
      const int64_t cpu_before = CpuNanos();
      const Clock::time_point launched = Clock::now();
      absl::StatusOr<int64_t> ns;
      switch (kind) {
        case kCli: ns = launchers.Cli(); break;
        case kBwrap: ns = launchers.Bwrap(); break;
        case kCold: ns = launchers.LibCold(); break;
        case kWarm: ns = launchers.LibWarm(); break;
        case kFloor: ns = launchers.Floor(); break;
        default: break;
      }
      if (!ns.ok()) Die(ns.status());
      samples[kind].push_back(static_cast<double>(*ns));
      if (absl::Status reaped = ReapOrphans(launchers.warm_pid());
          !reaped.ok()) {
        Die(reaped);
      }
      // Warm's call also starts the next container: not one launch's CPU.
      if (kind != kWarm) {
        gone[kind].push_back(static_cast<double>(Nanos(launched, Clock::now())));
        cpu[kind].push_back(static_cast<double>(CpuNanos() - cpu_before));
      }
    }
  }
  launchers.DropWarm();
  if (prctl(PR_SET_CHILD_SUBREAPER, 0) != 0) {
    Die(ErrnoStatus(errno, "prctl(PR_SET_CHILD_SUBREAPER)"));
  }
  if (absl::Status reaped = ReapOrphans(-1); !reaped.ok()) Die(reaped);
  Summary summary[kKinds];
  for (int kind = 0; kind < kKinds; ++kind) summary[kind] = Summarize(samples[kind]);
  std::printf("latency, ms (%d interleaved rounds)\n", options.rounds);
  std::printf("  %-22s %8s  %8s  %8s   %s\n", "", "median", "p10", "p90",
              "/bwrap");
  for (int kind = 0; kind < kKinds; ++kind) {
    if (samples[kind].empty()) continue;
    PrintRow(names[kind], summary[kind], summary[kBwrap]);
  }
  Summary gone_summary[kKinds];
  for (int kind = 0; kind < kKinds; ++kind) {
    gone_summary[kind] = Summarize(gone[kind]);
  }
  std::printf("\nuntil every process of the launch is gone, ms (bwrap's "
              "sandbox pid 1 outlives\nthe bwrap command; kekkai's init is "
              "reaped before `kekkai run` and Wait return)\n");
  for (int kind = 0; kind < kKinds; ++kind) {
    if (gone[kind].empty()) continue;
    PrintRow(names[kind], gone_summary[kind], gone_summary[kBwrap]);
  }
  Summary cpu_summary[kKinds];
  for (int kind = 0; kind < kKinds; ++kind) {
    cpu_summary[kind] = Summarize(cpu[kind]);
  }
  std::printf("\nCPU time per launch, ms (user+system of this process and "
              "every descendant,\norphans included; kernel work deferred to "
              "kworkers is not included)\n");
  for (int kind = 0; kind < kKinds; ++kind) {
    if (cpu[kind].empty()) continue;
    PrintRow(names[kind], cpu_summary[kind], cpu_summary[kBwrap]);
  }
  if (options.only >= 0) return 0;
  const double cli_ratio = summary[kCli].median / summary[kBwrap].median;
  const double warm_ratio = summary[kWarm].median / summary[kBwrap].median;

  const int parallels[] = {1, 2, 8};
  double tp_ratio[3] = {0, 0, 0};
  if (options.throughput) {
    std::printf("\nthroughput, containers/s (median of %d runs of %d; "
                "cold: Start+Serve+Wait each,\n  pipelined: the next "
                "Start overlaps the current run)\n",
                options.throughput_reps, options.throughput_count);
    std::printf("  %-10s %9s %9s %7s %11s %7s\n", "parallel", "bwrap",
                "lib cold", "ratio", "lib piped", "ratio");
    for (int p = 0; p < 3; ++p) {
      std::vector<double> bwrap_rates, cold_rates, piped_rates;
      for (int rep = 0; rep < options.throughput_reps; ++rep) {
        absl::StatusOr<double> rate =
            Throughput(parallels[p], options.throughput_count, [&] {
              return Launch(
                  [&](bool) { return launchers.Bwrap().status(); });
            });
        if (!rate.ok()) Die(rate.status());
        bwrap_rates.push_back(*rate);
        rate = Throughput(parallels[p], options.throughput_count, [&] {
          return Launch([&](bool) {
            return Launchers::Finish(*launchers.NewContainer(), true);
          });
        });
        if (!rate.ok()) Die(rate.status());
        cold_rates.push_back(*rate);
        rate = Throughput(parallels[p], options.throughput_count,
                          [&] { return PipelinedLauncher(launchers); });
        if (!rate.ok()) Die(rate.status());
        piped_rates.push_back(*rate);
      }
      const double bwrap = Summarize(bwrap_rates).median;
      const double cold = Summarize(cold_rates).median;
      const double piped = Summarize(piped_rates).median;
      tp_ratio[p] = cold / bwrap;
      std::printf("  %-10d %9.1f %9.1f %6.2fx %11.1f %6.2fx\n", parallels[p],
                  bwrap, cold, tp_ratio[p], piped, piped / bwrap);
    }
  }

  Rss rss;
  if (options.rss) {
    absl::StatusOr<Rss> measured = MeasureRss(options, launchers);
    if (!measured.ok()) Die(measured.status());
    rss = *measured;
    std::printf("\npeak RSS, KiB (sampled every 5 ms during set-up; highest "
                "of 5): VmHWM, and\nthe highest RssAnon (its own memory; the "
                "rest is mapped text and data of\nits executable and "
                "libraries, shared page cache)\n");
    std::printf("  %-22s %8s %8s   %s\n", "", "VmHWM", "RssAnon",
                "lowest run's VmHWM");
    const std::pair<const char*, const Peak*> rows[] = {
        {"kekkai (CLI)", &rss.cli},
        {"kekkai-init", &rss.init},
        {"bwrap (monitor)", &rss.bwrap},
        {"bwrap (sandbox pid 1)", &rss.bwrap_init}};
    for (const auto& [name, peak] : rows) {
      std::printf("  %-22s %8lld %8lld   %lld%s\n", name,
                  static_cast<long long>(peak->hwm),
                  static_cast<long long>(peak->anon),
                  static_cast<long long>(peak->hwm_low),
                  peak->hwm_low * 2 < peak->hwm ? " (runs disagree)" : "");
    }
  }

  std::printf("\ntargets\n");
  std::printf("  kekkai run median <= 0.85x bwrap:         %.2fx  %s\n", cli_ratio,
              Verdict(cli_ratio <= 0.85));
  std::printf("  warm Serve+Wait <= 0.5x bwrap:            %.2fx  %s\n",
              warm_ratio, Verdict(warm_ratio <= 0.5));
  if (options.throughput) {
    std::printf("  libkekkai (cold) throughput >= 1.5x at 1: %.2fx  %s\n",
                tp_ratio[0], Verdict(tp_ratio[0] >= 1.5));
    std::printf("  libkekkai (cold) throughput >= 1.5x at 8: %.2fx  %s\n",
                tp_ratio[2], Verdict(tp_ratio[2] >= 1.5));
  }
  if (options.rss) {
    std::printf("  kekkai-init peak RSS <= 1024 KiB:         %lld KiB  %s\n",
                static_cast<long long>(rss.init.hwm),
                Verdict(rss.init.hwm >= 0 && rss.init.hwm <= 1024));
  }
  return 0;
}

}  // namespace
}  // namespace kekkai::bench

int main(int argc, char** argv) { return kekkai::bench::Main(argc, argv); }
