// Event arguments in both directions: `Payload` builds the arguments of an outgoing event or
// acknowledgement as JSON text plus binary attachments; `Args` views those of an incoming one.
#pragma once

#include <charconv>
#include <cmath>
#include <concepts>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sio/json.hpp"

namespace sio {

// Bytes sent as a binary attachment (a Node `Buffer` on the other side).
struct Binary {
  std::string bytes;
};

// JSON text sent as it is (already serialized by the application; must be valid JSON).
struct RawJson {
  std::string text;
};

class Payload {
 public:
  Payload() = default;

  template <class... A>
  static Payload of(A&&... args) {
    Payload p;
    (p.add(std::forward<A>(args)), ...);
    return p;
  }

  void add(std::string_view s) { begin_arg(); json::append_string(json_, s); }
  void add(const char* s) { add(std::string_view(s)); }
  void add(const std::string& s) { add(std::string_view(s)); }
  void add(bool b) { begin_arg(); json_ += b ? "true" : "false"; }
  void add(std::nullptr_t) { begin_arg(); json_ += "null"; }
  void add(const RawJson& raw) { begin_arg(); json_ += raw.text; }
  void add(RawJson&& raw) { begin_arg(); json_ += raw.text; }
  void add(Binary bytes);
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  void add(I value) {
    begin_arg();
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    json_.append(buf, end);
  }
  void add(double value);

  // Comma-separated argument texts, without the surrounding brackets.
  const std::string& json() const { return json_; }
  const std::vector<std::string>& attachments() const { return attachments_; }
  std::vector<std::string>& attachments() { return attachments_; }
  std::size_t size() const { return count_; }

 private:
  void begin_arg() {
    if (count_++) json_ += ',';
  }
  std::string json_;
  std::vector<std::string> attachments_;
  std::size_t count_ = 0;
};

// The arguments of an incoming event or acknowledgement. Views: valid during the handler call.
class Args {
 public:
  Args() = default;
  Args(std::span<const std::string_view> raw, std::span<const std::string> attachments)
      : raw_(raw), attachments_(attachments) {}

  std::size_t size() const { return raw_.size(); }
  bool empty() const { return raw_.empty(); }
  // The raw JSON text of argument `i`, exactly as the client sent it.
  std::string_view operator[](std::size_t i) const { return raw_[i]; }
  std::span<const std::string_view> raw() const { return raw_; }
  std::span<const std::string> attachments() const { return attachments_; }
  // The bytes of argument `i` when it is a binary attachment.
  std::optional<std::string_view> binary(std::size_t i) const;
  // The same arguments, ready to send back (binary attachments kept in their places).
  Payload to_payload() const;

 private:
  std::span<const std::string_view> raw_;
  std::span<const std::string> attachments_;
};

}  // namespace sio
