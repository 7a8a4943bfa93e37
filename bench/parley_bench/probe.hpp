// The content of every message parley-bench sends: a probe that lets the receiver tell, with no
// lookup, which step it belongs to, its sequence number, when it was sent, and who sent it to
// whom, so that latency, losses, duplicates and misrouting are measured where it arrives.
//   pb:<step>:<seq>:<sent_ns>:<from>:<to>:xxxx...   (padded with 'x' to the message size)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley_bench {

struct Probe {
  uint32_t step = 0;
  uint64_t seq = 0;
  int64_t sent_ns = 0;  // steady clock, nanoseconds
  uint32_t from = 0;    // user indexes
  uint32_t to = 0;
};

// Appends the probe's text, padded to at least `size` bytes.
void append_probe(std::string& out, const Probe& probe, std::size_t size);

// nullopt when `content` is not a probe (a message from someone else).
std::optional<Probe> parse_probe(std::string_view content) noexcept;

}  // namespace parley_bench
