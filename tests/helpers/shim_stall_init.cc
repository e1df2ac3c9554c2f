// shim_stall_init: an "init" that never reads its setup fd, so the
// launcher's 5 s deadline for serving the params is what ends it.
#include <unistd.h>

int main() {
  for (;;) pause();
}
