# frugal_layer(NAME DIRS dir... [LINKS lib...]): a static library frugal_NAME from the
# sources under each DIR (a folder, or a file stem such as agent/runtime for
# agent/runtime.{h,cpp}), linking LINKS publicly. Its include path is
# ${CMAKE_BINARY_DIR}/layers/NAME, a folder of symbolic links to its own DIRS plus the
# include folders of the libraries it links: #include "llm/types.h" from budget/ finds no
# file there, so a backwards include fails to build.
include_guard(GLOBAL)

function(frugal_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DIRS;LINKS")
  set(view ${CMAKE_BINARY_DIR}/layers/${name})
  file(REMOVE_RECURSE ${view})
  set(sources "")
  foreach(dir ${arg_DIRS})
    set(src ${PROJECT_SOURCE_DIR}/${dir})
    get_filename_component(parent ${dir} DIRECTORY)
    if(IS_DIRECTORY ${src})
      file(GLOB_RECURSE found CONFIGURE_DEPENDS ${src}/*.cpp)
      file(MAKE_DIRECTORY ${view}/${parent})
      file(CREATE_LINK ${src} ${view}/${dir} SYMBOLIC)
    else()
      file(GLOB found CONFIGURE_DEPENDS ${src}.cpp)
      file(MAKE_DIRECTORY ${view}/${parent})
      foreach(ext h cpp)
        if(EXISTS ${src}.${ext})
          file(CREATE_LINK ${src}.${ext} ${view}/${dir}.${ext} SYMBOLIC)
        endif()
      endforeach()
    endif()
    list(APPEND sources ${found})
  endforeach()
  add_library(frugal_${name} STATIC ${sources})
  # The view is this layer's own; the views of lower layers arrive through LINKS.
  target_include_directories(frugal_${name} PUBLIC ${view})
  if(arg_LINKS)
    target_link_libraries(frugal_${name} PUBLIC ${arg_LINKS})
  endif()
endfunction()
