# Installs the locked npm packages of the web client (cmake -P; NPM, WEB_DIR, BUNDLE given)
# unless node_modules already holds them: an existing install newer than the lock is kept, so
# a build without network works once node_modules is there.
cmake_minimum_required(VERSION 3.25)
set(installed ${WEB_DIR}/node_modules/.package-lock.json)
if(EXISTS ${BUNDLE} AND EXISTS ${installed} AND NOT ${WEB_DIR}/package-lock.json IS_NEWER_THAN ${installed})
  return()
endif()
message(STATUS "web client: npm ci in ${WEB_DIR}")
execute_process(
  COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY ${WEB_DIR}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT EXISTS ${BUNDLE})
  message(FATAL_ERROR "web client: `npm ci` in ${WEB_DIR} failed (${result}); ${BUNDLE} is needed")
endif()
