# Dependencies: Debian packages only (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(cereal CONFIG REQUIRED)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)
# Linked by name (-lseccomp), not by the imported target's .so path, so that
# the static kekkai-init picks libseccomp.a under -static. Link this.
set(KEKKAI_SECCOMP_LIB seccomp)

# abseil for executables and the shared library (Debian's shared objects).
add_library(kekkai_absl INTERFACE)
target_link_libraries(kekkai_absl INTERFACE
  absl::status absl::statusor absl::strings absl::str_format absl::cord
  absl::flat_hash_map absl::span absl::cleanup)

# abseil for the static kekkai-init: every libabsl_*.a in one link group, so
# the linker takes just what init uses and the order does not matter.
file(GLOB KEKKAI_ABSL_STATIC_ARCHIVES
     "${CMAKE_LIBRARY_ARCHITECTURE_DIR}/libabsl_*.a"
     "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libabsl_*.a")
list(REMOVE_DUPLICATES KEKKAI_ABSL_STATIC_ARCHIVES)
find_library(KEKKAI_SECCOMP_STATIC NAMES libseccomp.a)
if(KEKKAI_STATIC_INIT AND (NOT KEKKAI_ABSL_STATIC_ARCHIVES OR NOT KEKKAI_SECCOMP_STATIC))
  message(WARNING "static abseil or libseccomp archives not found: kekkai-init will be dynamic")
  set(KEKKAI_STATIC_INIT OFF CACHE BOOL "" FORCE)
endif()

if(KEKKAI_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(KEKKAI_BUILD_BENCH)
  find_package(benchmark CONFIG)
  if(NOT benchmark_FOUND)
    message(WARNING "Google Benchmark not found: benchmarks disabled")
    set(KEKKAI_BUILD_BENCH OFF CACHE BOOL "" FORCE)
  endif()
endif()

if(KEKKAI_SANITIZE)
  # -O1 -g1 (after the build type's flags, so they win): what ASan's own
  # documentation suggests, line tables for the reports, and about half the
  # compile time of -O2 -g, which matters on CI's two cores.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -O1 -g1)
  add_link_options(-fsanitize=address,undefined)
endif()

# A test whose prerequisite (../shared, Go, clang) is missing is not built.
# Locally that is a warning; in CI (CI=true) or wherever namespaces are
# required (KEKKAI_REQUIRE_USERNS=1) it is an error: a suite that silently
# shrinks must not pass.
if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND
   NOT "$ENV{CI}" STREQUAL "false" OR "$ENV{KEKKAI_REQUIRE_USERNS}" STREQUAL "1")
  set(kekkai_require_all_default ON)
else()
  set(kekkai_require_all_default OFF)
endif()
option(KEKKAI_REQUIRE_ALL_TESTS
       "Fail when a test's prerequisite is missing instead of skipping it"
       ${kekkai_require_all_default})
function(kekkai_missing_prerequisite)
  string(JOIN "" text ${ARGN})
  if(KEKKAI_REQUIRE_ALL_TESTS)
    message(FATAL_ERROR "${text} (KEKKAI_REQUIRE_ALL_TESTS is ON)")
  else()
    message(WARNING "${text}")
  endif()
endfunction()
