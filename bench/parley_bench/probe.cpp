#include "probe.hpp"

#include <charconv>

namespace parley_bench {

namespace {

template <typename Int>
void append_number(std::string& out, Int value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

template <typename Int>
bool take_number(std::string_view& text, Int& value) noexcept {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() + text.size() || *end != ':') return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  return true;
}

}  // namespace

void append_probe(std::string& out, const Probe& p, std::size_t size) {
  auto start = out.size();
  out += "pb:";
  append_number(out, p.step);
  out += ':';
  append_number(out, p.seq);
  out += ':';
  append_number(out, p.sent_ns);
  out += ':';
  append_number(out, p.from);
  out += ':';
  append_number(out, p.to);
  out += ':';
  if (out.size() - start < size) out.append(size - (out.size() - start), 'x');
}

std::optional<Probe> parse_probe(std::string_view text) noexcept {
  if (!text.starts_with("pb:")) return std::nullopt;
  text.remove_prefix(3);
  Probe p;
  if (!take_number(text, p.step) || !take_number(text, p.seq) || !take_number(text, p.sent_ns) ||
      !take_number(text, p.from) || !take_number(text, p.to)) {
    return std::nullopt;
  }
  return p;
}

}  // namespace parley_bench
