// Shared by the load and fault tests: what a process and the host look like
// (open fds, threads, children, zombies, mounts), so a test can show that
// launching and losing containers leaves nothing behind; and the container
// the tests launch (/usr bound read-only, a fresh /proc, a tmpfs).
#ifndef KEKKAI_TESTS_LOAD_LOAD_UTIL_H_
#define KEKKAI_TESTS_LOAD_LOAD_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/params.h"

namespace kekkai::testing {

// fd number -> what it refers to (readlink of /proc/self/fd/N), without the
// fd used to read the directory.
std::map<int, std::string> OpenFds();

// The thread ids of this process.
std::vector<pid_t> Threads();

// Every process on the host whose parent is `parent` (any state, zombies
// included), read from /proc/<pid>/stat.
std::vector<pid_t> ProcessesWithParent(pid_t parent);

// True when waitpid(-1, WNOHANG|__WALL) finds no child at all (ECHILD).
bool NoWaitableChild();

// /proc/self/mountinfo of this process, as text.
std::string MountInfo();

// One process as /proc showed it: identity that survives pid reuse.
struct ProcessIdentity {
  pid_t pid = -1;
  uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat (clock ticks)
  std::string pid_ns;       // readlink /proc/<pid>/ns/pid, "pid:[N]", or
                            // empty when it may not be read
};

// The identity of `pid` now, or nullopt when it does not exist.
std::optional<ProcessIdentity> IdentityOf(pid_t pid);

// True while a process with this pid, start time and pid namespace exists
// and is not a zombie: the same process, not a reuse of its pid.
bool StillAlive(const ProcessIdentity& identity);

// Every live process descended from `ancestor` whose pid namespace is one
// of `pid_namespaces` ("pid:[N]" link texts). Namespace numbers are reused
// once a namespace is gone, so a process elsewhere on the host (another
// test's container) may show the same text: only descendants count.
// Entries we may not read are skipped.
std::vector<pid_t> DescendantsInPidNamespaces(
    pid_t ancestor, const std::set<std::string>& pid_namespaces);

// The minimal real container of these tests: /usr bound read-only with
// the merged-/usr links (/bin, /lib, /lib64), a fresh /proc and a tmpfs on
// /tmp; the program is /bin/sh -c SCRIPT.
Params MinimalShell(const std::string& script);

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_LOAD_LOAD_UTIL_H_
