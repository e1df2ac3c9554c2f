# Installation: the CLI, init where the shim looks for it, libkekkai with its
# public headers, a CMake package (find_package(kekkai) -> kekkai::kekkai)
# and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS kekkai-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS kekkai-init RUNTIME
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/kekkai)

install(TARGETS kekkai EXPORT kekkaiTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
                             ${CMAKE_INSTALL_INCLUDEDIR}/kekkai)

# Public headers keep their source-tree paths under include/kekkai/, so
# "common/params.h" resolves both in the tree and once installed.
get_property(kekkai_public_headers GLOBAL PROPERTY KEKKAI_PUBLIC_HEADERS)
foreach(header IN LISTS kekkai_public_headers)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kekkai/${dir})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/shim/kekkai.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kekkai)

install(EXPORT kekkaiTargets NAMESPACE kekkai::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kekkai)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/kekkaiConfig.cmake.in
  ${CMAKE_BINARY_DIR}/kekkaiConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kekkai)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/kekkaiConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/kekkaiConfig.cmake
              ${CMAKE_BINARY_DIR}/kekkaiConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kekkai)

# kekkai.pc finds its prefix relative to its own directory (pkg-config's
# ${pcfiledir}), so `cmake --install --prefix DIR` and DESTDIR staging give a
# working file, not one pointing at the configured CMAKE_INSTALL_PREFIX.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KEKKAI_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH kekkai_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig"
       "/prefix")
  string(REGEX REPLACE "/$" "" kekkai_pc_up "${kekkai_pc_up}")
  set(KEKKAI_PC_PREFIX "\${pcfiledir}/${kekkai_pc_up}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/kekkai.pc.in
               ${CMAKE_BINARY_DIR}/kekkai.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/kekkai.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
