// What a chat service answers: the result, or the error to give the client (docs/api.md codes).
#pragma once

#include <functional>
#include <variant>

#include "chat/chat_error.hpp"

namespace parley::chat {

template <class T>
using Outcome = std::variant<T, ChatError>;

template <class T>
using Then = std::function<void(Outcome<T>)>;

}  // namespace parley::chat
