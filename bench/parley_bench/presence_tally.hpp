// The presence mode's judging, as pure code: what the `presence {userId, online, lastSeenAt}`
// pushes that reach the users during a storm say, and whether each is one the contract allows
// (docs/api.md, "Live signals"): about a contact of the receiver (someone who shares one of its
// conversations), about a user the storm dropped (the others never changed), with `lastSeenAt`
// null while online and set while offline (every user here was seen, none hides), and never the
// same state twice in a row about the same contact. The worker feeds it; the tests exercise it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "presence_layout.hpp"
#include "report.hpp"

namespace parley_bench {

struct PresenceCounts {
  uint64_t online = 0;       // pushes with online: true
  uint64_t offline = 0;      // online: false
  uint64_t malformed = 0;    // not {userId, online, lastSeenAt} as above (not counted as online/offline)
  uint64_t not_contact = 0;  // about a user who shares no conversation with the receiver (or unknown)
  uint64_t not_stormed = 0;  // about a user whose connection the storm left alone
  uint64_t repeated = 0;     // the state the receiver was last told about that contact, again
  std::vector<uint32_t> per_receiver;                  // presence pushes, by user index
  std::map<std::string, uint64_t, std::less<>> other;  // every other event, by name

  uint64_t pushes() const noexcept { return online + offline; }
  void merge(const PresenceCounts& other);
};

class PresenceTally {
 public:
  // `user_index` maps ids to user indexes; `stormed` is 1 for each user the storm drops.
  PresenceTally(const ContactBook& contacts, const std::unordered_map<std::string, uint32_t>& user_index,
                std::vector<uint8_t> stormed);

  // A `presence` push with this payload reached user `receiver`.
  void record(uint32_t receiver, std::string_view payload);
  // Any other event reached one of the users.
  void other(std::string_view event);

  PresenceCounts take();

 private:
  const ContactBook& contacts_;
  const std::unordered_map<std::string, uint32_t>& user_index_;
  std::vector<uint8_t> stormed_;
  std::vector<uint8_t> last_told_;  // per contact pair: 0 nothing yet, 1 online, 2 offline
  PresenceCounts counts_;
  simdjson::dom::parser parser_;
};

// The verdict on a storm: every dropped user back, nothing dropped that was not asked for, no
// error event, every push one the contract allows, and quiet again within --duration. How many
// pushes there were is the measurement, not a verdict.
void judge_storm(PresenceResult& result);

}  // namespace parley_bench
