# kekkai-init-probe: the payload of kekkai-init's integration tests
# (init_probe.cc). Dynamically linked: the tests bind /usr and /lib* into
# every container (a static link would not work in the sanitizer build).
add_executable(kekkai-init-probe ${CMAKE_CURRENT_LIST_DIR}/init_probe.cc)
kekkai_warnings(kekkai-init-probe)
