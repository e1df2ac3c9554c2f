# kekkai_shim: the launcher library (the Container API of container.h, the
# spawner thread, the async-signal-safe clone child in spawn_child.cc, the
# Landlock ruleset, the Result mapping). Included by shim/CMakeLists.txt
# before libkekkai is assembled from the components.
kekkai_library(kekkai_shim
  SRCS
    container.cc
    host.cc
    landlock.cc
    result.cc
    spawn.cc
    spawn_child.cc
  DEPS kekkai_common kekkai_gob Threads::Threads
)
add_library(kekkai::shim ALIAS kekkai_shim)

set_property(GLOBAL APPEND PROPERTY KEKKAI_LIB_COMPONENTS kekkai_shim)
set_property(GLOBAL APPEND PROPERTY KEKKAI_PUBLIC_HEADERS shim/container.h)
