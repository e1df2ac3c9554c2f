#include "tests/testing/userns.h"

#include <sched.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/status.h"

namespace kekkai::testing {

const absl::Status& UserNamespaceSupport() {
  static const absl::Status* const status = [] {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
      return new absl::Status(ErrnoStatus(errno, "pipe2"));
    }
    const pid_t pid = fork();
    if (pid < 0) return new absl::Status(ErrnoStatus(errno, "fork"));
    if (pid == 0) {
      int err = 0;
      if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0) err = errno;
      (void)!write(pipefd[1], &err, sizeof(err));
      _exit(0);
    }
    close(pipefd[1]);
    int err = 0;
    const ssize_t n = read(pipefd[0], &err, sizeof(err));
    close(pipefd[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (n != sizeof(err)) {
      return new absl::Status(absl::InternalError("userns probe: short read"));
    }
    if (err != 0) {
      return new absl::Status(ErrnoStatus(
          err, "unshare(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID)"));
    }
    return new absl::Status();
  }();
  return *status;
}

bool UserNamespacesRequired() {
  const char* require = std::getenv("KEKKAI_REQUIRE_USERNS");
  if (require != nullptr && std::strcmp(require, "1") == 0) return true;
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0;
}

}  // namespace kekkai::testing
