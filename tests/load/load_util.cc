#include "tests/load/load_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ops_builder.h"

namespace kekkai::testing {
namespace {

std::optional<std::string> ReadLink(const std::string& path) {
  char buf[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// The numeric entries of a /proc directory.
std::vector<pid_t> NumericEntries(const char* path) {
  std::vector<pid_t> ids;
  DIR* dir = opendir(path);
  if (dir == nullptr) return ids;
  while (struct dirent* entry = readdir(dir)) {
    pid_t id = 0;
    if (absl::SimpleAtoi(entry->d_name, &id)) ids.push_back(id);
  }
  closedir(dir);
  return ids;
}

// The fields of /proc/<pid>/stat after the command (which may hold spaces
// and parentheses): [0] is the state (field 3).
std::optional<std::vector<std::string>> StatFields(pid_t pid) {
  std::optional<std::string> stat = ReadSmallFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.has_value()) return std::nullopt;
  const size_t close = stat->rfind(')');
  if (close == std::string::npos || close + 2 > stat->size()) {
    return std::nullopt;
  }
  return absl::StrSplit(stat->substr(close + 2), ' ', absl::SkipEmpty());
}

}  // namespace

std::map<int, std::string> OpenFds() {
  std::map<int, std::string> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = dirfd(dir);
  while (struct dirent* entry = readdir(dir)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == own) continue;
    fds[fd] = ReadLink(absl::StrCat("/proc/self/fd/", fd)).value_or("?");
  }
  closedir(dir);
  return fds;
}

std::vector<pid_t> Threads() { return NumericEntries("/proc/self/task"); }

std::vector<pid_t> ProcessesWithParent(pid_t parent) {
  std::vector<pid_t> found;
  for (pid_t pid : NumericEntries("/proc")) {
    std::optional<std::vector<std::string>> fields = StatFields(pid);
    pid_t ppid = 0;
    if (fields.has_value() && fields->size() > 1 &&
        absl::SimpleAtoi((*fields)[1], &ppid) && ppid == parent) {
      found.push_back(pid);
    }
  }
  return found;
}

bool NoWaitableChild() {
  siginfo_t info = {};
  const int rc = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL);
  return rc < 0 && errno == ECHILD;
}

std::string MountInfo() {
  return ReadSmallFile("/proc/self/mountinfo").value_or("");
}

std::optional<ProcessIdentity> IdentityOf(pid_t pid) {
  std::optional<std::vector<std::string>> fields = StatFields(pid);
  // starttime is field 22: index 19 after the state (field 3).
  ProcessIdentity identity;
  identity.pid = pid;
  if (!fields.has_value() || fields->size() < 20 ||
      !absl::SimpleAtoi((*fields)[19], &identity.start_time)) {
    return std::nullopt;
  }
  // Empty when the link may not be read (the start time still tells a
  // reused pid apart).
  identity.pid_ns =
      ReadLink(absl::StrCat("/proc/", pid, "/ns/pid")).value_or("");
  return identity;
}

bool StillAlive(const ProcessIdentity& identity) {
  std::optional<std::vector<std::string>> fields = StatFields(identity.pid);
  if (!fields.has_value() || fields->empty() || (*fields)[0] == "Z" ||
      (*fields)[0] == "X") {
    return false;
  }
  std::optional<ProcessIdentity> now = IdentityOf(identity.pid);
  if (!now.has_value() || now->start_time != identity.start_time) {
    return false;
  }
  return identity.pid_ns.empty() || now->pid_ns.empty() ||
         now->pid_ns == identity.pid_ns;
}

std::vector<pid_t> DescendantsInPidNamespaces(
    pid_t ancestor, const std::set<std::string>& pid_namespaces) {
  std::vector<pid_t> found;
  if (pid_namespaces.empty()) return found;
  for (pid_t pid : NumericEntries("/proc")) {
    std::optional<std::string> ns =
        ReadLink(absl::StrCat("/proc/", pid, "/ns/pid"));
    if (!ns.has_value() || pid_namespaces.count(*ns) == 0) continue;
    std::optional<std::vector<std::string>> fields = StatFields(pid);
    if (!fields.has_value() || fields->size() < 2 || (*fields)[0] == "Z") {
      continue;
    }
    // Up the parent chain (bounded: pids may be reused under us).
    pid_t parent = 0;
    bool descends = false;
    for (int depth = 0; depth < 64 && fields.has_value() &&
                        fields->size() >= 2 &&
                        absl::SimpleAtoi((*fields)[1], &parent) && parent > 1;
         ++depth) {
      if (parent == ancestor) {
        descends = true;
        break;
      }
      fields = StatFields(parent);
    }
    if (descends) found.push_back(pid);
  }
  return found;
}

Params MinimalShell(const std::string& script) {
  Params params;
  params.path = AbsolutePath::Literal("/bin/sh");
  params.args = {"sh", "-c", script};
  params.env = {"PATH=/usr/bin:/bin"};
  params.ops = OpsBuilder()
                   .Bind("/usr", "/usr")
                   .Link("/bin", "usr/bin")
                   .Link("/lib", "usr/lib")
                   .Link("/lib64", "usr/lib64")
                   .Proc("/proc")
                   .Tmpfs("/tmp", 0, 01777)
                   .Build()
                   .value();
  return params;
}

}  // namespace kekkai::testing
