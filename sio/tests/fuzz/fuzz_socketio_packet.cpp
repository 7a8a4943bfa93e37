// Fuzzes Socket.IO packet decoding; a packet that decodes must re-encode (from the view) to
// text that decodes to an equal view.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sio/json.hpp"
#include "sio/socketio/packet.hpp"

using namespace sio::socketio;

namespace {

bool same_view(const PacketView& a, const PacketView& b) {
  if (a.type != b.type || a.nsp != b.nsp || a.id != b.id || a.attachments != b.attachments ||
      a.payload != b.payload || a.event != b.event || a.args.size() != b.args.size()) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (a.args[i] != b.args[i]) return false;
  }
  return true;
}

bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static PacketDecoder decoder;
  static PacketView view;
  static PacketView again;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (decoder.decode(text, view) != DecodeError::none) return 0;

  if (view.nsp != "/" && !within(view.nsp, text)) std::abort();
  if (!within(view.payload, text)) std::abort();
  for (const auto arg : view.args) {
    if (!within(arg, view.payload)) std::abort();
    (void)placeholder_index(arg);
  }
  (void)sio::json::quote(view.event);

  std::string encoded;
  encode(OutPacket{view.type, view.nsp, view.id, view.attachments, view.payload}, encoded);
  if (decoder.decode(encoded, again) != DecodeError::none) std::abort();
  if (!same_view(view, again)) std::abort();
  return 0;
}
