# kekkai-init. Two libraries so the ops can be unit-tested on their own:
#   kekkai_init_ops  the ops' behaviour (one file per op under ops/), the
#                    error steps, the privilege drop and the supervisor
#   kekkai_init      the setup sequence (init.cc): gob, seccomp and the ops
# and the static executable.
kekkai_library(kekkai_init_ops
  SRCS
    failure.cc
    ops/auto_etc.cc
    ops/auto_root.cc
    ops/bind.cc
    ops/dev.cc
    ops/mkdir.cc
    ops/op.cc
    ops/overlay.cc
    ops/proc.cc
    ops/remount.cc
    ops/symlink.cc
    ops/tmpfile.cc
    ops/tmpfs.cc
    privileges.cc
    supervise.cc
  DEPS kekkai_common kekkai_sys
)
kekkai_library(kekkai_init
  SRCS init.cc
  DEPS kekkai_init_ops kekkai_gob kekkai_seccomp
)
add_library(kekkai::init ALIAS kekkai_init)
# Every internal library is named here so that all of them come before the
# static abseil group on the link line (kekkai_executable puts the group
# right after the direct dependencies).
kekkai_executable(kekkai-init STATIC SRCS main.cc
  DEPS kekkai_init kekkai_init_ops kekkai_sys kekkai_gob kekkai_seccomp
       kekkai_syscalls kekkai_common)
