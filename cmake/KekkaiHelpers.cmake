# Target helpers shared by every directory.

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
set(CMAKE_ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)

set(KEKKAI_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
    -Wswitch-enum -Wimplicit-fallthrough)

function(kekkai_warnings target)
  target_compile_options(${target} PRIVATE ${KEKKAI_WARNINGS})
endfunction()

# Debian's gcc links with --as-needed. The internal static libraries do not
# declare their abseil dependency (see kekkai_library), so CMake may place an
# archive such as libkekkai_common.a after abseil's shared objects; by then
# --as-needed has dropped e.g. libabsl_cord.so and the link fails with "DSO
# missing from command line". Executables linked against the shared abseil
# therefore keep every library they name.
function(kekkai_keep_shared_libs target)
  target_link_options(${target} PRIVATE LINKER:--no-as-needed)
endfunction()

# kekkai_library(name SRCS ... [DEPS ...] [PRIVATE_DEPS ...])
# A static, PIC internal library rooted at the source tree, so headers are
# included as "common/status.h". It does not link abseil's libraries: the
# final executable chooses shared (kekkai_absl) or static archives.
function(kekkai_library name)
  cmake_parse_arguments(L "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${L_SRCS})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  target_link_libraries(${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  kekkai_warnings(${name})
endfunction()

# kekkai_executable(name SRCS ... [DEPS ...] [STATIC])
function(kekkai_executable name)
  cmake_parse_arguments(E "STATIC" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${E_SRCS})
  kekkai_warnings(${name})
  if(E_STATIC AND KEKKAI_STATIC_INIT)
    target_link_libraries(${name} PRIVATE ${E_DEPS}
      -Wl,--start-group ${KEKKAI_ABSL_STATIC_ARCHIVES} -Wl,--end-group)
    target_link_options(${name} PRIVATE -static)
  else()
    target_link_libraries(${name} PRIVATE ${E_DEPS} kekkai_absl)
    kekkai_keep_shared_libs(${name})
  endif()
endfunction()

# How test files are compiled. The code under test is built as configured
# (-O3 in Release, ASan+UBSan in the sanitizer build); the test files
# themselves at -O1 in Release, and under ASan without UBSan in the
# sanitizer build: UBSan's checks are aimed at kekkai's own code and triple
# the compile time of gMock-heavy files, which matters on CI's two cores.
function(kekkai_test_flags target)
  target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-O1>)
  if(KEKKAI_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=undefined)
  endif()
endfunction()

# Every test file parses GoogleTest, GoogleMock and the same few abseil
# headers: they are compiled once into a precompiled header that every test
# target reuses (kekkai_test_pch holds it; same flags as the tests, or GCC
# would silently ignore it).
option(KEKKAI_TEST_PCH "Precompile the headers every test includes" ON)
function(kekkai_test_pch_target)
  if(TARGET kekkai_test_pch)
    return()
  endif()
  set(main ${CMAKE_BINARY_DIR}/generated/kekkai_test_pch.cc)
  file(WRITE ${main} "int main() { return 0; }\n")
  add_executable(kekkai_test_pch ${main})
  kekkai_warnings(kekkai_test_pch)
  kekkai_test_flags(kekkai_test_pch)
  target_link_libraries(kekkai_test_pch PRIVATE GTest::gmock kekkai_absl)
  target_precompile_headers(kekkai_test_pch PRIVATE
    <string> <vector> <gtest/gtest.h> <gmock/gmock.h>
    <absl/status/status.h> <absl/status/statusor.h>
    <absl/strings/str_cat.h>)
endfunction()

# kekkai_test(name LABEL <unit|integration|interop|security|load> SRCS ... DEPS ...)
# One gtest binary; each TEST() becomes a ctest test carrying LABEL.
# Integration, security and load binaries are also registered once more as
# "<name>.unprivileged": when ctest runs as root, tests/run-unprivileged.sh
# stages build/bin in a world-readable temporary directory and runs the binary
# there as uid/gid 65534, because kekkai is for unprivileged users and root
# hides bugs.
function(kekkai_test name)
  cmake_parse_arguments(T "NO_MAIN" "LABEL;TIMEOUT" "SRCS;DEPS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SRCS})
  kekkai_warnings(${name})
  kekkai_test_flags(${name})
  if(KEKKAI_TEST_PCH)
    kekkai_test_pch_target()
    target_precompile_headers(${name} REUSE_FROM kekkai_test_pch)
  endif()
  if(T_NO_MAIN)
    set(main_lib GTest::gmock)
  else()
    set(main_lib GTest::gmock_main)
  endif()
  target_link_libraries(${name} PRIVATE ${T_DEPS} kekkai_testing ${main_lib}
                        kekkai_absl Threads::Threads)
  kekkai_keep_shared_libs(${name})
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
               ENVIRONMENT "KEKKAI_SOURCE_DIR=${PROJECT_SOURCE_DIR};KEKKAI_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
  if(T_LABEL STREQUAL "integration" OR T_LABEL STREQUAL "security" OR
     T_LABEL STREQUAL "load")
    add_test(NAME ${name}.unprivileged
             COMMAND ${PROJECT_SOURCE_DIR}/tests/run-unprivileged.sh
                     ${CMAKE_BINARY_DIR}/bin $<TARGET_FILE_NAME:${name}>)
    set_tests_properties(${name}.unprivileged PROPERTIES
      LABELS "${T_LABEL};unprivileged" TIMEOUT 900)
  endif()
endfunction()
