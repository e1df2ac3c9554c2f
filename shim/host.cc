#include "shim/host.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "common/version.h"
#include "shim/spawn.h"

namespace kekkai::shim::internal {
namespace {

constexpr char kStep[] = "find kekkai-init";

// OK when `path` is an executable regular file.
absl::Status CheckExecutable(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return ErrnoStatus(errno, absl::StrFormat("stat(\"%s\")", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("\"%s\" is not a regular file", path));
  }
  if (access(path.c_str(), X_OK) != 0) {
    return ErrnoStatus(errno, absl::StrFormat("access(\"%s\", X_OK)", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadId(const char* path) {
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrFormat("open(\"%s\")", path));
  char buf[32];
  ssize_t n;
  do {
    n = read(fd.get(), buf, sizeof(buf) - 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus(errno, absl::StrFormat("read(\"%s\")", path));
  int64_t id = 0;
  if (!absl::SimpleAtoi(
          absl::StripAsciiWhitespace(absl::string_view(buf, static_cast<size_t>(n))),
          &id) ||
      id < 0) {
    return absl::DataLossError(
        absl::StrFormat("%s: %s is not an id", path,
                        absl::string_view(buf, static_cast<size_t>(n))));
  }
  return id;
}

}  // namespace

InitSearch DefaultInitSearch(const std::string& explicit_path) {
  InitSearch search;
  search.explicit_path = explicit_path;
  const char* env = std::getenv("KEKKAI_INIT");
  if (env != nullptr) search.env_path = env;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n > 0) {
    // Built from the buffer, not with substr: GCC 12 at -O3 reports a false
    // -Wrestrict overlap when a substring or a literal is assigned here.
    self[n] = '\0';
    const char* slash = std::strrchr(self, '/');
    if (slash == self) {
      search.self_dir = std::string(1, '/');
    } else if (slash != nullptr) {
      search.self_dir = std::string(self, static_cast<size_t>(slash - self));
    }
  }
  search.install_path = kInitInstallPath;
  return search;
}

absl::StatusOr<std::string> ResolveInitPath(const InitSearch& search) {
  // The child runs execve after chdir("/"): a relative path must be made
  // absolute against the caller's working directory first.
  for (const auto& [path, origin] :
       {std::pair{&search.explicit_path, "LaunchOptions.init_path"},
        std::pair{&search.env_path, "$KEKKAI_INIT"}}) {
    if (path->empty()) continue;
    std::string absolute = *path;
    if (absolute[0] != '/') {
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof(cwd)) == nullptr) {
        return WithStep(Annotate(ErrnoStatus(errno, "getcwd"), kStep), kStep);
      }
      absolute = absl::StrCat(cwd, "/", absolute);
    }
    KEKKAI_RETURN_IF_ERROR(
        WithStep(Annotate(CheckExecutable(absolute),
                          absl::StrFormat("%s (%s)", kStep, origin)),
                 kStep));
    return absolute;
  }
  std::string tried;
  if (!search.self_dir.empty()) {
    const std::string beside =
        search.self_dir == "/" ? "/kekkai-init"
                               : absl::StrCat(search.self_dir, "/kekkai-init");
    if (CheckExecutable(beside).ok()) return beside;
    tried = absl::StrFormat("\"%s\" and ", beside);
  }
  if (CheckExecutable(search.install_path).ok()) return search.install_path;
  return WithStep(
      absl::NotFoundError(absl::StrFormat(
          "%s: no executable at %s\"%s\" (set LaunchOptions.init_path or "
          "$KEKKAI_INIT)",
          kStep, tried, search.install_path)),
      kStep);
}

absl::StatusOr<OverflowIds> ReadOverflowIds() {
  static const absl::StatusOr<OverflowIds>* const ids = [] {
    absl::StatusOr<int64_t> uid = ReadId("/proc/sys/kernel/overflowuid");
    if (!uid.ok()) return new absl::StatusOr<OverflowIds>(uid.status());
    absl::StatusOr<int64_t> gid = ReadId("/proc/sys/kernel/overflowgid");
    if (!gid.ok()) return new absl::StatusOr<OverflowIds>(gid.status());
    return new absl::StatusOr<OverflowIds>(OverflowIds{*uid, *gid});
  }();
  if (!ids->ok()) {
    return WithStep(Annotate(ids->status(), "read overflow ids"),
                    "read overflow ids");
  }
  return *ids;
}

}  // namespace kekkai::shim::internal
