# kekkai-init in real namespaces (label integration; kekkai_test also runs
# each binary as uid 65534 from a staging directory). init_launcher.cc
# starts kekkai-init exactly as hakurei's Go launcher does; the payload is
# kekkai-init-probe (tests/helpers/init_probe.cc).
if(TARGET kekkai_init)
  kekkai_test(init_integration_test LABEL integration TIMEOUT 300
    SRCS
      ${CMAKE_CURRENT_LIST_DIR}/init_integration_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/init_launcher.cc
    DEPS kekkai_gob kekkai_sys kekkai_common)
  add_dependencies(init_integration_test kekkai-init kekkai-init-probe)
endif()
