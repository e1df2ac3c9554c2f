# Included by shim/cli/CMakeLists.txt. Shared, append-only: each area adds its
# own lines.

# kekkai run / kekkai params (shim/cli/options.*, default_sandbox.*): the pure
# part (argv -> Params, the default sandbox) is a library so tests/cli can
# unit-test it without launching anything.
kekkai_library(kekkai_cli_core
  SRCS
    ${CMAKE_CURRENT_LIST_DIR}/options.cc
    ${CMAKE_CURRENT_LIST_DIR}/default_sandbox.cc
  DEPS kekkai_common kekkai_json
)
list(APPEND KEKKAI_CLI_EXTRA_DEPS kekkai_cli_core)

# kekkai seccomp export (shim/cli/seccomp_cmd.cc).
list(APPEND KEKKAI_CLI_EXTRA_DEPS kekkai_seccomp kekkai_json)

# kekkai run: PROGRAM's PATH search through the container's ops.
target_sources(kekkai_cli_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/program_lookup.cc)

# kekkai run --seccomp-deny-extra: the presets as explicit rules plus the
# extra denials (seccomp::DenyExtra).
target_link_libraries(kekkai_cli_core PUBLIC kekkai_seccomp)
