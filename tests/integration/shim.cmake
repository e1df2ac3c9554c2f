# The launcher library in real namespaces (label integration; each binary is
# also run as uid 65534 by kekkai_test). kekkai_common is named before the
# shared abseil libraries (see tests/shim/CMakeLists.txt).
kekkai_test(shim_container_integration_test LABEL integration
            SRCS shim_container_test.cc
            DEPS kekkai_shim kekkai_common kekkai_gob)
add_dependencies(shim_container_integration_test shim_fake_init
                 shim_stall_init)
kekkai_test(shim_parent_death_integration_test LABEL integration
            SRCS shim_parent_death_test.cc
            DEPS kekkai_shim kekkai_common kekkai_gob)
add_dependencies(shim_parent_death_integration_test shim_launcher
                 shim_fake_init shim_stall_init)
if(TARGET kekkai-init)
  add_dependencies(shim_parent_death_integration_test kekkai-init)
endif()
kekkai_test(shim_real_init_integration_test LABEL integration
            SRCS shim_real_init_test.cc
            DEPS kekkai_shim kekkai_common kekkai_gob)
if(TARGET kekkai-init)
  add_dependencies(shim_real_init_integration_test kekkai-init)
endif()
