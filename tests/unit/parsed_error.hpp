// What the parser tests compare: "ok", or the error's code and sentence as a client reads them.
#pragma once

#include <string>
#include <variant>

#include "chat/args.hpp"

namespace parley::chat {

template <class T>
std::string error_of(const Parsed<T>& parsed) {
  auto* error = std::get_if<ChatError>(&parsed);
  return error ? std::string(code_name(error->code)) + " " + error->message : "ok";
}

}  // namespace parley::chat
