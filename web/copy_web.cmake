# Copies the web client's FILES (paths relative to SRC, folders kept) and the socket.io-client
# BUNDLE into OUT, each with a gzip'd twin NAME.gz, and removes anything else found there (files
# of an older build), since parley serves whatever OUT holds (cmake -P).
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY ${OUT})
set(keep)
set(pairs)
foreach(relative ${FILES})
  list(APPEND pairs "${SRC}/${relative}|${relative}")
endforeach()
get_filename_component(bundle_name ${BUNDLE} NAME)
list(APPEND pairs "${BUNDLE}|${bundle_name}")
foreach(pair ${pairs})
  string(REPLACE "|" ";" parts "${pair}")
  list(GET parts 0 source)
  list(GET parts 1 relative)
  list(APPEND keep ${relative} ${relative}.gz)
  configure_file(${source} ${OUT}/${relative} COPYONLY)
  file(TOUCH ${OUT}/${relative})  # newer than its sources, even when unchanged
  file(ARCHIVE_CREATE OUTPUT ${OUT}/${relative}.gz PATHS ${OUT}/${relative} FORMAT raw COMPRESSION GZip
       COMPRESSION_LEVEL 9)
endforeach()
file(GLOB_RECURSE present RELATIVE ${OUT} ${OUT}/* ${OUT}/.*)
foreach(name ${present})
  if(NOT name IN_LIST keep)
    file(REMOVE ${OUT}/${name})
  endif()
endforeach()
