// Standard base64 (RFC 4648, with padding), as Engine.IO's polling transport uses for binary.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sio::util {

void base64_append(std::string_view bytes, std::string& out);

// Strict decoding: the length is a multiple of 4, only the standard alphabet, and at most two
// '=' and only at the very end. No whitespace. The unused low bits of the last symbol are not
// checked (Node's decoder ignores them too). Empty input decodes to empty output.
std::optional<std::string> base64_decode(std::string_view text);

// The same, appending to `out`, so a caller decoding many packets can reuse its buffers.
// Returns false (with `out` unchanged) when `text` is not valid base64.
bool base64_decode_append(std::string_view text, std::string& out);

// Base64url without padding (RFC 4648 section 5), as JWTs and our ids use it.
void base64url_append(std::string_view bytes, std::string& out);
// Strict: no padding, no whitespace, no '+' or '/', and the unused bits of the last symbol must
// be zero, so that every byte string has exactly one encoding (a JWT signature cannot be
// re-spelled).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace sio::util
