// Reading the JSON text of event arguments and handshake auth objects with simdjson. The text
// comes from clients (untrusted) but has passed the protocol layer, which accepts what
// JavaScript's JSON.parse accepts; simdjson is stricter in two ways that rewrite_for_simdjson
// smooths over, so that an odd value in one field does not spoil the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace parley::chat {

// Escapes of lone UTF-16 surrogates (a string cut inside an emoji) become \ufffd (what a
// UTF-8 encoder makes of one), and integers beyond 64 bits (JSON.stringify writes 2e20 as
// 200000000000000000000) become doubles. Everything else is copied as it is.
std::string rewrite_for_simdjson(std::string_view json);

// Parses `json` with this thread's parser (rewritten when simdjson refuses a string or a
// number, see above). `doc` stays valid until the next parse on this thread.
simdjson::error_code parse_json(std::string_view json, simdjson::dom::element& doc);

// `json` as an object, if it is one (nullopt for anything else or anything malformed).
std::optional<simdjson::dom::object> parse_object(std::string_view json);

// A string field of `object`: nullopt when absent or not a string.
std::optional<std::string_view> string_field(const simdjson::dom::object& object, std::string_view key);

// The field, unless absent or null.
std::optional<simdjson::dom::element> present_field(const simdjson::dom::object& object, std::string_view key);

}  // namespace parley::chat
