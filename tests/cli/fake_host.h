// A scripted HostView for the CLI's unit tests: the caller's environment,
// cwd, files, fds and host filesystem entries are plain maps, so parsing is
// tested without touching the machine.
#ifndef KEKKAI_TESTS_CLI_FAKE_HOST_H_
#define KEKKAI_TESTS_CLI_FAKE_HOST_H_

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "shim/cli/options.h"

namespace kekkai::cli::testing {

class FakeHost final : public HostView {
 public:
  FakeHost() {
    // A merged-/usr Debian host by default.
    entries["/bin"] = {EntryType::kSymlink, "usr/bin"};
    entries["/sbin"] = {EntryType::kSymlink, "usr/sbin"};
    entries["/lib"] = {EntryType::kSymlink, "usr/lib"};
    entries["/lib64"] = {EntryType::kSymlink, "usr/lib64"};
    executables["/usr/bin/sh"] = 0;
    executables["/bin/sh"] = 0;
  }

  std::vector<std::string> Environment() override { return env; }

  absl::StatusOr<std::string> WorkingDirectory() override {
    if (cwd.empty()) return ErrnoStatus(ENOENT, "getcwd()");
    return cwd;
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t limit) override {
    auto it = files.find(path);
    if (it == files.end()) {
      return ErrnoStatus(ENOENT, absl::StrCat("open(\"", path, "\")"));
    }
    if (it->second.size() > limit) {
      return absl::ResourceExhaustedError("too big");
    }
    return it->second;
  }

  absl::StatusOr<std::string> ReadFd(int fd, size_t limit) override {
    auto it = fd_data.find(fd);
    if (it == fd_data.end()) {
      return ErrnoStatus(EBADF, absl::StrCat("read(fd ", fd, ")"));
    }
    if (it->second.size() > limit) {
      return absl::ResourceExhaustedError("too big");
    }
    return it->second;
  }

  absl::Status CheckFd(int fd) override {
    if (open_fds.count(fd) == 0 && fd_data.count(fd) == 0) {
      return ErrnoStatus(EBADF, absl::StrCat("fcntl(", fd, ")"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Entry> Lstat(const std::string& path) override {
    auto it = entries.find(path);
    if (it == entries.end()) return Entry{};
    return it->second;
  }

  absl::Status Exists(const std::string& path) override {
    if (existing.count(path) != 0 || entries.count(path) != 0) {
      return absl::OkStatus();
    }
    return ErrnoStatus(ENOENT, absl::StrCat("stat(\"", path, "\")"));
  }

  absl::Status CheckExecutable(const std::string& path) override {
    auto it = executables.find(path);
    if (it == executables.end()) {
      return ErrnoStatus(ENOENT, absl::StrCat("stat(\"", path, "\")"));
    }
    if (it->second != 0) {
      return ErrnoStatus(it->second, absl::StrCat("access(\"", path, "\")"));
    }
    return absl::OkStatus();
  }

  std::vector<std::string> env = {"HOME=/home/u", "PATH=/usr/bin:/bin",
                                  "LANG=C.UTF-8"};
  std::string cwd = "/home/u/work";
  std::map<std::string, std::string> files;
  std::map<int, std::string> fd_data;
  std::set<int> open_fds = {0, 1, 2};
  std::map<std::string, Entry> entries;
  std::set<std::string> existing = {"/usr", "/etc", "/home/u/work"};
  std::map<std::string, int> executables;  // path -> errno (0 = runnable)
};

}  // namespace kekkai::cli::testing

#endif  // KEKKAI_TESTS_CLI_FAKE_HOST_H_
