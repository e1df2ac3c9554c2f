/* floor: the least a container launcher can do, for context in the launch
   benchmark (bench/launch_bench.cc). It clones into the namespaces kekkai
   and bwrap use (user, mount, pid, net, ipc, uts, cgroup), writes the id
   maps from the parent, and the child execs PROGRAM at once: no mounts, no
   pivot_root, no seccomp, no supervising init. Nothing useful can be this
   fast; a launcher's distance from it is what its sandbox costs.

   usage: floor PROGRAM [ARGS...]    (exit status: PROGRAM's, 125 on error) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS                                                     \
  (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |       \
   CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static char child_stack[64 * 1024] __attribute__((aligned(16)));
static int sync_pipe[2];
static char** program;

static int child_main(void* arg) {
  (void)arg;
  char byte;
  close(sync_pipe[1]);
  /* Wait for the maps: until then the child has no identity inside. */
  if (read(sync_pipe[0], &byte, 1) != 1) _exit(125);
  execv(program[0], program);
  _exit(errno == ENOENT ? 127 : 126);
}

static int write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t len = (ssize_t)strlen(text);
  ssize_t n = write(fd, text, (size_t)len);
  close(fd);
  return n == len ? 0 : -1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: floor PROGRAM [ARGS...]\n");
    return 125;
  }
  program = argv + 1;
  if (pipe2(sync_pipe, O_CLOEXEC) != 0) {
    perror("floor: pipe2");
    return 125;
  }
  pid_t pid = clone(child_main, child_stack + sizeof(child_stack),
                    NS_FLAGS | SIGCHLD, NULL);
  if (pid < 0) {
    perror("floor: clone");
    return 125;
  }
  close(sync_pipe[0]);

  char path[64], line[64];
  snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)getuid());
  snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
  int failed = write_file(path, line);
  snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
  if (!failed && write_file(path, "deny\n") != 0 && errno != ENOENT) failed = 1;
  snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)getgid());
  snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
  if (!failed) failed = write_file(path, line);
  if (failed) {
    perror("floor: cannot write the id maps");
    kill(pid, SIGKILL);
  } else if (write(sync_pipe[1], "x", 1) != 1) {
    perror("floor: write");
  }
  close(sync_pipe[1]);

  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      perror("floor: waitpid");
      return 125;
    }
  }
  if (failed) return 125;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
