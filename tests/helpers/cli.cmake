# cli_probe: reports from inside containers started by the CLI's integration
# tests (tests/integration/cli_*). Plain C++, no abseil, dynamically linked
# against the system's libraries, which the tests map into the container.
# Never sanitized: LeakSanitizer needs ptrace at exit, which the strict
# seccomp preset (deny-devel) refuses inside the container.
add_executable(cli_probe ${CMAKE_CURRENT_LIST_DIR}/cli_probe.cc)
kekkai_warnings(cli_probe)
if(KEKKAI_SANITIZE)
  target_compile_options(cli_probe PRIVATE -fno-sanitize=all)
  target_link_options(cli_probe PRIVATE -fno-sanitize=all)
endif()
