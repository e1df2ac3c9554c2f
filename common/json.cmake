# kekkai::json: the JSON form of Params, InitParams and seccomp rules (cereal's
# JSON archive writes it; cereal's RapidJSON parses it), and Go's duration
# text form that it uses for adopt_wait_delay. Included by
# common/CMakeLists.txt; linked into libkekkai.
kekkai_library(kekkai_json
  SRCS
    duration.cc
    json.cc
  DEPS kekkai_common kekkai_syscalls
  PRIVATE_DEPS cereal::cereal
)
add_library(kekkai::json ALIAS kekkai_json)
set_property(GLOBAL APPEND PROPERTY KEKKAI_LIB_COMPONENTS kekkai_json)
set_property(GLOBAL APPEND PROPERTY KEKKAI_PUBLIC_HEADERS
  common/duration.h
  common/json.h
)
