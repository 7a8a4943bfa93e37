// The REST API's error answers: JSON bodies {"error": "<sentence>"} (with a "code" where a
// client must tell the case apart), the same shape on every route.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "sio/transport/http.hpp"

namespace parley::api {

sio::transport::HttpResponse json_error(unsigned status, std::string_view message);

// 429 {"error", "code": "RATE_LIMITED", "retryAfterMs"} with Retry-After in whole seconds,
// rounded up (a client that waits that long finds a token).
sio::transport::HttpResponse rate_limited(std::string_view message, std::chrono::milliseconds retry_after);

// 413 {"error", "code": "TOO_LARGE"}, naming the limit when given; the connection closes after
// it (the rest of the body may not have been read).
sio::transport::HttpResponse too_large(std::size_t max_bytes = 0);

}  // namespace parley::api
