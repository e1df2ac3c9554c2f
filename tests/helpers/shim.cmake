# Helpers for the launcher's tests (label integration): a fake kekkai-init
# that checks what the launcher promises init and speaks the setup report
# protocol, an init that never reads its params, and a launcher process that
# the parent-death tests kill -9.
kekkai_executable(shim_fake_init SRCS shim_fake_init.cc
                  DEPS kekkai_common kekkai_gob)
kekkai_executable(shim_stall_init SRCS shim_stall_init.cc)
kekkai_executable(shim_launcher SRCS shim_launcher.cc
                  DEPS kekkai_shim kekkai_common kekkai_gob Threads::Threads)
