# kekkai::gob: Go encoding/gob for the setup pipe (common/gob/gob.h). The
# only place that knows the byte layout of initParams; the shim encodes with
# it and kekkai-init decodes with it.
kekkai_library(kekkai_gob
  SRCS
    gob/decoder.cc
    gob/encoder.cc
    gob/schema.cc
    gob/wire.cc
  DEPS kekkai_common
)
add_library(kekkai::gob ALIAS kekkai_gob)
set_property(GLOBAL APPEND PROPERTY KEKKAI_LIB_COMPONENTS kekkai_gob)
set_property(GLOBAL APPEND PROPERTY KEKKAI_PUBLIC_HEADERS common/gob/gob.h)
