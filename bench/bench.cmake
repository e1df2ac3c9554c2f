# Included by bench/CMakeLists.txt. Shared, append-only: each area adds its
# own block. Run the benchmarks from the Release build (see README.md).

# The gob codec: decode and encode of the shared vectors `typical` and
# `many-ops` (read at start-up; $KEKKAI_SHARED_DIR overrides the path).
if(NOT DEFINED KEKKAI_SHARED_DIR)
  set(KEKKAI_SHARED_DIR "${PROJECT_SOURCE_DIR}/../shared" CACHE PATH
      "The shared reference directory (gob vectors and their Go tools)")
endif()
add_executable(gob_bench ${CMAKE_CURRENT_LIST_DIR}/gob_bench.cc)
kekkai_warnings(gob_bench)
target_link_libraries(gob_bench PRIVATE kekkai_gob benchmark::benchmark
                      kekkai_absl)
target_compile_definitions(gob_bench PRIVATE
  KEKKAI_GOB_VECTORS_DIR="${KEKKAI_SHARED_DIR}/gob-vectors/vectors")

# Launch latency, throughput and peak RSS against bubblewrap (launch_bench,
# bench/run.sh runs it), and the floor it is compared with (bench-floor:
# clone into the namespaces, write the maps, exec; plain C).
add_executable(bench-floor ${CMAKE_CURRENT_LIST_DIR}/floor.c)
target_compile_options(bench-floor PRIVATE -Wall -Wextra -Werror)
get_property(kekkai_bench_components GLOBAL PROPERTY KEKKAI_LIB_COMPONENTS)
add_executable(launch_bench ${CMAKE_CURRENT_LIST_DIR}/launch_bench.cc)
kekkai_warnings(launch_bench)
target_link_libraries(launch_bench PRIVATE kekkai_cli_core
                      ${kekkai_bench_components} kekkai_absl Threads::Threads)
kekkai_keep_shared_libs(launch_bench)
add_dependencies(launch_bench kekkai-cli kekkai-init bench-floor)
