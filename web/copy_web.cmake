# Copies the web client's FILES into OUT, each with a gzip'd twin NAME.gz, and removes anything
# else found there (files of an older build), since parley serves whatever OUT holds (cmake -P).
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY ${OUT})
set(keep)
foreach(source ${FILES})
  get_filename_component(name ${source} NAME)
  list(APPEND keep ${name} ${name}.gz)
  configure_file(${source} ${OUT}/${name} COPYONLY)
  file(TOUCH ${OUT}/${name})  # newer than its sources, even when unchanged
  file(ARCHIVE_CREATE OUTPUT ${OUT}/${name}.gz PATHS ${OUT}/${name} FORMAT raw COMPRESSION GZip
       COMPRESSION_LEVEL 9)
endforeach()
file(GLOB present RELATIVE ${OUT} LIST_DIRECTORIES true ${OUT}/* ${OUT}/.*)
foreach(name ${present})
  if(NOT name IN_LIST keep)
    file(REMOVE_RECURSE ${OUT}/${name})
  endif()
endforeach()
