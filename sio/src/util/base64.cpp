// Base64 through OpenSSL's block codec, with the strict validation EVP_DecodeBlock lacks: it
// skips whitespace, accepts '=' anywhere in the last quantum and counts padding as zero bytes.
#include "sio/util/base64.hpp"

#include <openssl/evp.h>

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>

namespace sio::util {
namespace {

// OpenSSL takes int lengths; larger inputs go through in chunks that keep quanta whole.
constexpr size_t encode_chunk = size_t{3} << 28;  // bytes, a multiple of 3
constexpr size_t decode_chunk = size_t{4} << 28;  // characters, a multiple of 4
static_assert(encode_chunk <= INT_MAX && decode_chunk <= INT_MAX);

constexpr std::array<bool, 256> make_alphabet() {
  std::array<bool, 256> table{};
  for (char c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = true;
  table['+'] = true;
  table['/'] = true;
  return table;
}
constexpr std::array<bool, 256> in_alphabet = make_alphabet();

bool is_symbol(char c) { return in_alphabet[static_cast<unsigned char>(c)]; }

// Returns the number of '=' at the end, or -1 if `text` is not valid padded base64.
int validate(std::string_view text) {
  if (text.size() % 4 != 0) return -1;
  if (text.empty()) return 0;
  const size_t body = text.size() - 2;
  for (size_t i = 0; i < body; ++i) {
    if (!is_symbol(text[i])) return -1;
  }
  const char a = text[body];
  const char b = text[body + 1];
  if (is_symbol(a) && is_symbol(b)) return 0;
  if (is_symbol(a) && b == '=') return 1;
  if (a == '=' && b == '=') return 2;
  return -1;
}

}  // namespace

void base64_append(std::string_view bytes, std::string& out) {
  const size_t old_size = out.size();
  // EVP_EncodeBlock writes a terminating NUL after the 4*ceil(n/3) characters.
  out.resize(old_size + (bytes.size() + 2) / 3 * 4 + 1);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + old_size);
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t remaining = bytes.size();
  while (remaining > 0) {
    const size_t n = remaining < encode_chunk ? remaining : encode_chunk;
    dst += EVP_EncodeBlock(dst, src, static_cast<int>(n));
    src += n;
    remaining -= n;
  }
  out.resize(static_cast<size_t>(reinterpret_cast<char*>(dst) - out.data()));
}

bool base64_decode_append(std::string_view text, std::string& out) {
  const int padding = validate(text);
  if (padding < 0) return false;
  if (text.empty()) return true;
  const size_t old_size = out.size();
  out.resize(old_size + text.size() / 4 * 3);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + old_size);
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  size_t remaining = text.size();
  while (remaining > 0) {
    const size_t n = remaining < decode_chunk ? remaining : decode_chunk;
    const int written = EVP_DecodeBlock(dst, src, static_cast<int>(n));
    if (written < 0) {  // cannot happen after validation, but never trust a library blindly
      out.resize(old_size);
      return false;
    }
    dst += written;
    src += n;
    remaining -= n;
  }
  // EVP_DecodeBlock counts each '=' as a zero byte of output.
  out.resize(out.size() - static_cast<size_t>(padding));
  return true;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  if (!base64_decode_append(text, out)) return std::nullopt;
  return out;
}

namespace {

constexpr std::string_view url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int, 256> make_url_values() {
  std::array<int, 256> table{};
  for (int& value : table) value = -1;
  for (std::size_t i = 0; i < url_alphabet.size(); ++i) table[static_cast<unsigned char>(url_alphabet[i])] = static_cast<int>(i);
  return table;
}
constexpr std::array<int, 256> url_values = make_url_values();

}  // namespace

void base64url_append(std::string_view bytes, std::string& out) {
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(url_alphabet[(bits >> bit_count) & 0x3F]);
    }
  }
  if (bit_count > 0) out.push_back(url_alphabet[(bits << (6 - bit_count)) & 0x3F]);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : text) {
    const int value = url_values[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  if ((bits & ((1u << bit_count) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace sio::util
