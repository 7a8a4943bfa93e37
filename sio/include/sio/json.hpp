// Small JSON helpers shared by the protocol layers and applications: escaping strings and
// splitting a validated array into the raw text of its elements. Parsing and validation are
// simdjson's job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sio::json {

// Appends `s` as a JSON string literal (quotes included), escaping as JSON.stringify does.
// Invalid UTF-8 sequences are replaced by U+FFFD so the output is always valid JSON.
void append_string(std::string& out, std::string_view s);

// Returns `s` as a JSON string literal.
std::string quote(std::string_view s);

// Splits the text of a JSON array that is already known to be valid into the raw text of its
// top-level elements (surrounding whitespace trimmed). Returns false if `array_json` does not
// start with '[' (after whitespace).
bool split_array(std::string_view array_json, std::vector<std::string_view>& elements);

}  // namespace sio::json
