// cli_probe: runs inside containers started by the CLI's integration tests
// and reports what it sees on stdout, with exit status 0 on success and 1
// when the probed operation failed (the errno name is printed instead).
// No gtest and no abseil: it must run wherever the tests put it.
//
//   cli_probe fds                  open fds, e.g. "0 1 2 3"
//   cli_probe read-fd N            the contents of fd N until EOF
//   cli_probe loopback             TCP over 127.0.0.1 inside the container
//   cli_probe abstract-connect NAME  connect to the abstract socket @NAME
//   cli_probe uname                uname(2) (a seccomp rule target)
//   cli_probe int80                getpid through the 32-bit int $0x80 entry
//   cli_probe stat PATH            "<octal mode> <type>" of PATH (lstat)
//   cli_probe write PATH TEXT      create/truncate PATH with TEXT
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

namespace {

int Fail(const char* what) {
  const int err = errno;
  const char* name = strerrorname_np(err);
  printf("%s: %s\n", what, name != nullptr ? name : "unknown errno");
  return 1;
}

int Fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return Fail("opendir");
  std::vector<int> fds;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = atoi(entry->d_name);
    if (fd != dirfd(dir)) fds.push_back(fd);
  }
  closedir(dir);
  std::string out;
  for (int fd : fds) {
    if (!out.empty()) out += ' ';
    out += std::to_string(fd);
  }
  printf("%s\n", out.c_str());
  return 0;
}

int ReadFd(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail("read");
    }
    if (n == 0) return 0;
    fwrite(buf, 1, static_cast<size_t>(n), stdout);
  }
}

int Loopback() {
  const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0) return Fail("socket");
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail("bind");
  }
  if (listen(server, 1) != 0) return Fail("listen");
  socklen_t len = sizeof(addr);
  if (getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Fail("getsockname");
  }
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) return Fail("socket");
  if (connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail("connect");
  }
  const int conn = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return Fail("accept");
  if (write(client, "x", 1) != 1) return Fail("write");
  char c = 0;
  if (read(conn, &c, 1) != 1 || c != 'x') return Fail("read");
  printf("ok\n");
  return 0;
}

int AbstractConnect(const char* name) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  const size_t n = strnlen(name, sizeof(addr.sun_path) - 1);
  memcpy(addr.sun_path + 1, name, n);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr),
              static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n)) !=
      0) {
    return Fail("connect");
  }
  printf("ok\n");
  return 0;
}

int Uname() {
  struct utsname u;
  if (uname(&u) != 0) return Fail("uname");
  printf("ok\n");
  return 0;
}

int Int80() {
#if defined(__x86_64__)
  long ret = 20;  // getpid on i386
  __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
  if (ret < 0) {
    errno = static_cast<int>(-ret);
    return Fail("int80");
  }
  printf("ok\n");
  return 0;
#else
  printf("int80: unsupported\n");
  return 2;
#endif
}

int Stat(const char* path) {
  struct stat st;
  if (lstat(path, &st) != 0) return Fail("lstat");
  const char* type = S_ISDIR(st.st_mode)    ? "dir"
                     : S_ISLNK(st.st_mode)  ? "link"
                     : S_ISREG(st.st_mode)  ? "file"
                     : S_ISCHR(st.st_mode)  ? "chr"
                                            : "other";
  printf("%o %s\n", st.st_mode & 07777, type);
  return 0;
}

int Write(const char* path, const char* text) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail("open");
  const size_t n = strlen(text);
  if (write(fd, text, n) != static_cast<ssize_t>(n)) return Fail("write");
  close(fd);
  printf("ok\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IONBF, 0);
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "fds" && argc == 2) return Fds();
  if (cmd == "read-fd" && argc == 3) return ReadFd(atoi(argv[2]));
  if (cmd == "loopback" && argc == 2) return Loopback();
  if (cmd == "abstract-connect" && argc == 3) return AbstractConnect(argv[2]);
  if (cmd == "uname" && argc == 2) return Uname();
  if (cmd == "int80" && argc == 2) return Int80();
  if (cmd == "stat" && argc == 3) return Stat(argv[2]);
  if (cmd == "write" && argc == 4) return Write(argv[2], argv[3]);
  fprintf(stderr, "usage: cli_probe fds|read-fd N|loopback|"
                  "abstract-connect NAME|uname|int80|stat PATH|write PATH TEXT\n");
  return 2;
}
