# kekkai::sys: the syscall seam (sys.h), its composite helpers, mountinfo
# parsing and unfolding, and LinuxSys, the one implementation that touches
# the kernel. kekkai-init is its user; tests script it with a GoogleMock.
kekkai_library(kekkai_sys
  SRCS
    sys/linux_sys.cc
    sys/mountinfo.cc
    sys/sys.cc
  DEPS kekkai_common
  PRIVATE_DEPS kekkai_seccomp
)
add_library(kekkai::sys ALIAS kekkai_sys)
