// The REST API's error answers (see the header).
#include "api/json_errors.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "sio/json.hpp"

namespace parley::api {

using sio::transport::HttpResponse;

namespace {

std::string error_body(std::string_view message, std::string_view code) {
  std::string body = "{\"error\":";
  sio::json::append_string(body, message);
  if (!code.empty()) {
    body += ",\"code\":";
    sio::json::append_string(body, code);
  }
  return body;
}

}  // namespace

HttpResponse json_error(unsigned status, std::string_view message) {
  return HttpResponse::json(status, error_body(message, {}) + '}');
}

HttpResponse rate_limited(std::string_view message, std::chrono::milliseconds retry_after) {
  const auto ms = std::max<std::int64_t>(1, retry_after.count());
  HttpResponse response =
      HttpResponse::json(429, error_body(message, "RATE_LIMITED") + ",\"retryAfterMs\":" + std::to_string(ms) + '}');
  response.headers.emplace_back("Retry-After", std::to_string((ms + 999) / 1000));
  return response;
}

HttpResponse too_large(std::size_t max_bytes) {
  std::string message = "Request body too large";
  if (max_bytes > 0) message += " (at most " + std::to_string(max_bytes) + " bytes)";
  HttpResponse response = HttpResponse::json(413, error_body(message, "TOO_LARGE") + '}');
  response.close_connection = true;
  return response;
}

}  // namespace parley::api
