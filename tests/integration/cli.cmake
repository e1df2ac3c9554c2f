# End-to-end tests of the kekkai CLI in real namespaces (label integration;
# each binary also runs as uid 65534 from a staging directory, see
# kekkai_test). They run the built `kekkai`, `kekkai-init` and `cli_probe`.
set(kekkai_cli_harness ${CMAKE_CURRENT_LIST_DIR}/cli_harness.cc)
foreach(part run fs lifecycle)
  kekkai_test(cli_${part}_integration_test LABEL integration TIMEOUT 300
    SRCS ${CMAKE_CURRENT_LIST_DIR}/cli_${part}_test.cc ${kekkai_cli_harness}
    DEPS kekkai_json kekkai_gob kekkai_common kekkai_absl)
  foreach(dep kekkai-cli kekkai-init cli_probe)
    if(TARGET ${dep})
      add_dependencies(cli_${part}_integration_test ${dep})
    endif()
  endforeach()
endforeach()
