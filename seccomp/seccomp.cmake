# The filter library: hakurei's presets, filter construction, BPF export and
# load. libseccomp is linked by name (KEKKAI_SECCOMP_LIB, -lseccomp) rather
# than through the pkg-config target, so the static kekkai-init picks
# libseccomp.a.
kekkai_library(kekkai_seccomp
  SRCS
    presets.cc
    seccomp.cc
  DEPS kekkai_common kekkai_syscalls
  PRIVATE_DEPS ${KEKKAI_SECCOMP_LIB}
)
add_library(kekkai::seccomp ALIAS kekkai_seccomp)
set_property(GLOBAL APPEND PROPERTY KEKKAI_LIB_COMPONENTS kekkai_seccomp)
