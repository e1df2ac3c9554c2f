// kekkai-init-probe: the payload of kekkai-init's integration tests. It
// runs inside the container and reports what it sees on stdout, one
// "<command>: <result>" line per result, so the test (outside) can check
// mountinfo, ids, capabilities, files, fds and signals. Never gtest inside
// the container: the exit status and stdout are the whole interface.
//
//   kekkai-init-probe ids hostname cat=/etc/hostname write=/usr/x exit=3
//
// Commands run in order; an unknown command exits 99.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's exit-time ptrace is denied by the container's filter.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

extern char** environ;

namespace {

const char* ErrName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "E?";
}

void Line(const std::string& cmd, const std::string& result) {
  std::string line = cmd + ": " + result + "\n";
  ssize_t unused = write(1, line.data(), line.size());
  (void)unused;
}

std::string ReadAll(int fd) {
  std::string data;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

// Each line of a file, as "<cmd>: <line>".
void Lines(const std::string& cmd, const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Line(cmd, std::string("error ") + ErrName(errno));
    return;
  }
  const std::string data = ReadAll(fd);
  close(fd);
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    Line(cmd, data.substr(start, end - start));
    start = end + 1;
  }
}

// File contents on one line: '\n' and '\\' escaped, other bytes as they are.
std::string Escape(const std::string& data) {
  std::string out;
  for (char c : data) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Result(int rc) {
  return rc == 0 ? "ok" : std::string("error ") + ErrName(errno);
}

volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

int Run(const std::string& cmd, const std::string& arg) {
  if (cmd == "ids") {
    Line(cmd, std::to_string(getuid()) + " " + std::to_string(getgid()));
  } else if (cmd == "pid") {
    Line(cmd, std::to_string(getpid()));
  } else if (cmd == "hostname") {
    struct utsname name;
    uname(&name);
    Line(cmd, name.nodename);
  } else if (cmd == "mountinfo") {
    Lines(cmd, "/proc/self/mountinfo");
  } else if (cmd == "status") {
    const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    const std::string data = fd >= 0 ? ReadAll(fd) : "";
    if (fd >= 0) close(fd);
    size_t start = 0;
    while (start < data.size()) {
      size_t end = data.find('\n', start);
      if (end == std::string::npos) end = data.size();
      const std::string line = data.substr(start, end - start);
      if (line.rfind("Cap", 0) == 0 || line.rfind("NoNewPrivs", 0) == 0 ||
          line.rfind("Seccomp:", 0) == 0) {
        Line(cmd, line);
      }
      start = end + 1;
    }
  } else if (cmd == "cat") {
    const int fd = open(arg.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Line(cmd + "=" + arg, std::string("error ") + ErrName(errno));
    } else {
      Line(cmd + "=" + arg, Escape(ReadAll(fd)));
      close(fd);
    }
  } else if (cmd == "lines") {
    Lines(cmd + "=" + arg, arg.c_str());
  } else if (cmd == "write") {
    const int fd = open(arg.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        0644);
    if (fd < 0) {
      Line(cmd + "=" + arg, std::string("error ") + ErrName(errno));
    } else {
      const ssize_t n = write(fd, "written\n", 8);
      Line(cmd + "=" + arg, n == 8 ? "ok" : std::string("error ") + ErrName(errno));
      close(fd);
    }
  } else if (cmd == "mkdir") {
    Line(cmd + "=" + arg, Result(mkdir(arg.c_str(), 0755)));
  } else if (cmd == "remount") {
    // Try to make a read-only mount writable again.
    Line(cmd + "=" + arg, Result(mount(nullptr, arg.c_str(), nullptr,
                                       MS_REMOUNT | MS_BIND, nullptr)));
  } else if (cmd == "exists") {
    struct stat st;
    Line(cmd + "=" + arg,
         lstat(arg.c_str(), &st) == 0 ? "yes" : std::string("no ") + ErrName(errno));
  } else if (cmd == "mode") {
    struct stat st;
    if (lstat(arg.c_str(), &st) != 0) {
      Line(cmd + "=" + arg, std::string("error ") + ErrName(errno));
    } else {
      char buffer[32];
      snprintf(buffer, sizeof(buffer), "%o", st.st_mode);
      Line(cmd + "=" + arg, buffer);
    }
  } else if (cmd == "readlink") {
    char buffer[4096];
    const ssize_t n = readlink(arg.c_str(), buffer, sizeof(buffer) - 1);
    Line(cmd + "=" + arg, n < 0 ? std::string("error ") + ErrName(errno)
                                : std::string(buffer, static_cast<size_t>(n)));
  } else if (cmd == "ls") {
    DIR* dir = opendir(arg.c_str());
    if (dir == nullptr) {
      Line(cmd + "=" + arg, std::string("error ") + ErrName(errno));
    } else {
      while (const struct dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") Line(cmd + "=" + arg, name);
      }
      closedir(dir);
    }
  } else if (cmd == "fd") {
    const int fd = atoi(arg.c_str());
    struct stat st;
    if (fstat(fd, &st) != 0) {
      Line(cmd + "=" + arg, std::string("error ") + ErrName(errno));
    } else {
      Line(cmd + "=" + arg, Escape(ReadAll(fd)));
    }
  } else if (cmd == "fds") {
    DIR* dir = opendir("/proc/self/fd");
    const int own = dir != nullptr ? dirfd(dir) : -1;
    std::string fds;
    while (dir != nullptr) {
      const struct dirent* entry = readdir(dir);
      if (entry == nullptr) break;
      const std::string name = entry->d_name;
      if (name == "." || name == ".." || atoi(name.c_str()) == own) continue;
      fds += (fds.empty() ? "" : " ") + name;
    }
    if (dir != nullptr) closedir(dir);
    Line(cmd, fds);
  } else if (cmd == "env") {
    int count = 0;
    for (char** var = environ; *var != nullptr; ++var, ++count) Line(cmd, *var);
    Line("envcount", std::to_string(count));
  } else if (cmd == "argv0") {
    // Printed by main.
  } else if (cmd == "cwd") {
    char buffer[4096];
    Line(cmd, getcwd(buffer, sizeof(buffer)) ? buffer : "error");
  } else if (cmd == "loopback") {
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (server < 0 ||
        bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(server, 1) != 0 ||
        getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      Line(cmd, std::string("error ") + ErrName(errno));
    } else {
      const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      Line(cmd, Result(connect(client, reinterpret_cast<sockaddr*>(&addr),
                               sizeof(addr))));
      close(client);
    }
    if (server >= 0) close(server);
  } else if (cmd == "try") {
    int rc = -1;
    if (arg == "unshare") {
      rc = unshare(CLONE_NEWUSER);
    } else if (arg == "personality") {
      rc = personality(0xffff0000 | PER_BSD) < 0 ? -1 : 0;
    } else if (arg == "bluetooth") {
      rc = socket(31 /* AF_BLUETOOTH */, SOCK_STREAM, 0) < 0 ? -1 : 0;
    } else if (arg == "mount") {
      rc = mount("none", "/tmp", "tmpfs", 0, nullptr);
    } else {
      return 99;
    }
    Line(cmd + "=" + arg, Result(rc));
  } else if (cmd == "orphan") {
    // A grandchild that outlives us (reparented to init) and sleeps `arg`
    // milliseconds.
    const pid_t child = fork();
    if (child == 0) {
      if (fork() == 0) {
        usleep(static_cast<useconds_t>(atoi(arg.c_str())) * 1000);
        _exit(0);
      }
      _exit(0);
    }
    waitpid(child, nullptr, 0);
    Line(cmd, "spawned");
  } else if (cmd == "sleep") {
    usleep(static_cast<useconds_t>(atoi(arg.c_str())) * 1000);
  } else if (cmd == "ready") {
    // Tell the test we run: one byte on fd `arg`, then close it.
    const int fd = atoi(arg.c_str());
    ssize_t unused = write(fd, "r", 1);
    (void)unused;
    close(fd);
  } else if (cmd == "catch") {
    // Wait for SIGINT, SIGTERM or SIGQUIT and exit 100 + its number; with
    // an fd, tell the test we are ready once the handlers are in place.
    // The signals stay blocked outside sigsuspend: one arriving between
    // the check and a pause() would otherwise be waited for forever.
    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sigset_t blocked, unblocked;
    sigemptyset(&blocked);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT}) {
      sigaction(sig, &sa, nullptr);
      sigaddset(&blocked, sig);
    }
    sigprocmask(SIG_BLOCK, &blocked, &unblocked);
    if (!arg.empty()) {
      const int fd = atoi(arg.c_str());
      ssize_t unused = write(fd, "r", 1);
      (void)unused;
      close(fd);
    }
    while (g_signal == 0) sigsuspend(&unblocked);
    Line(cmd, std::string("SIG") + sigabbrev_np(g_signal));
    return 100 + g_signal;
  } else if (cmd == "exit") {
    return atoi(arg.c_str());
  } else if (cmd == "raise") {
    signal(atoi(arg.c_str()), SIG_DFL);
    kill(getpid(), atoi(arg.c_str()));
    pause();
  } else {
    Line(cmd, "unknown command");
    return 99;
  }
  return -1;  // go on
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const size_t eq = word.find('=');
    const std::string cmd = word.substr(0, eq);
    const std::string arg = eq == std::string::npos ? "" : word.substr(eq + 1);
    if (cmd == "argv0") Line(cmd, argv[0]);
    const int status = Run(cmd, arg);
    if (status >= 0) return status;
  }
  return 0;
}
