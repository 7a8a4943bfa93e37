// What the exception being handled says, for reports from `catch (...)` at the boundaries
// where the library calls the code above it.
#pragma once

#include <exception>
#include <string>

namespace sio::util {

inline std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace sio::util
