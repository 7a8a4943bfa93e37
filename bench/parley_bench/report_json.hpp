// The pieces every report is written with: a JSON object built field by field, and the JSON
// and number formats of the parts that every mode's report shares (report.cpp has them).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "report.hpp"
#include "sio/json.hpp"

namespace parley_bench {

inline std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::isfinite(value) ? value : 0.0);
  return buffer;
}

// A JSON object written field by field; nested objects through begin/end.
class Json {
 public:
  Json() { out_.push_back('{'); }
  Json& key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    sio::json::append_string(out_, name);
    out_ += ':';
    return *this;
  }
  Json& field(std::string_view name, std::string_view value) {
    key(name);
    sio::json::append_string(out_, value);
    return *this;
  }
  Json& field(std::string_view name, const char* value) { return field(name, std::string_view(value)); }
  Json& field(std::string_view name, double value, int decimals = 3) {
    key(name);
    out_ += fixed(value, decimals);
    return *this;
  }
  Json& field(std::string_view name, uint64_t value) {
    key(name);
    out_ += std::to_string(value);
    return *this;
  }
  Json& field(std::string_view name, uint32_t value) { return field(name, static_cast<uint64_t>(value)); }
  Json& field(std::string_view name, int value) {
    key(name);
    out_ += std::to_string(value);
    return *this;
  }
  Json& field(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
    return *this;
  }
  Json& raw(std::string_view name, std::string_view json) {
    key(name);
    out_ += json;
    return *this;
  }
  Json& strings(std::string_view name, const std::vector<std::string>& values) {
    key(name);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out_ += ',';
      sio::json::append_string(out_, values[i]);
    }
    out_ += ']';
    return *this;
  }
  std::string done() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  std::string out_;
  bool first_ = true;
};

std::string latency_json(const LatencySummary& summary);
std::string resource_json(const ResourceUse& use);  // null when not sampled
std::string info_json(const RunInfo& info);
std::string ms(double value);  // milliseconds for the tables: 2 decimals under 10, else 1

}  // namespace parley_bench
