#include "tests/gob/run_tool.h"

#include <errno.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/unique_fd.h"

extern char** environ;

namespace kekkai::gobtest {
namespace {

absl::StatusOr<UniqueFd> MemFd(const char* name) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return ErrnoStatus(errno, absl::StrCat("memfd_create(", name, ")"));
  return UniqueFd(fd);
}

absl::Status WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write(memfd)");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadAll(int fd) {
  std::string out;
  char buf[65536];
  for (off_t offset = 0;;) {
    const ssize_t n = pread(fd, buf, sizeof(buf), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "pread(memfd)");
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
}

}  // namespace

absl::StatusOr<ToolResult> RunTool(const std::string& path,
                                   const std::vector<std::string>& args,
                                   absl::string_view input) {
  KEKKAI_ASSIGN_OR_RETURN(UniqueFd in, MemFd("stdin"));
  KEKKAI_ASSIGN_OR_RETURN(UniqueFd out, MemFd("stdout"));
  KEKKAI_ASSIGN_OR_RETURN(UniqueFd err, MemFd("stderr"));
  KEKKAI_RETURN_IF_ERROR(WriteAll(in.get(), input));
  if (lseek(in.get(), 0, SEEK_SET) != 0) {
    return ErrnoStatus(errno, "lseek(memfd, 0)");
  }
  std::vector<std::string> argv_storage = {path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.get(), STDERR_FILENO);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return ErrnoStatus(rc, absl::StrCat("posix_spawn(", path, ")"));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "waitpid");
  }
  ToolResult result;
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  KEKKAI_ASSIGN_OR_RETURN(result.out, ReadAll(out.get()));
  KEKKAI_ASSIGN_OR_RETURN(result.err, ReadAll(err.get()));
  return result;
}

}  // namespace kekkai::gobtest
