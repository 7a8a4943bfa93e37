// The presence mode's layout, as pure code: U users, each in C overlapping conversations of M
// members, so that a change of one user's presence concerns C x (M - 1) distinct contacts; the
// contacts of every user; and which users a storm drops.
//
// Round r (of C) partitions the users into U / M groups: the user at position x of the round is
// (x * stride_r + offset_r) mod U, and group g of the round is positions g*M .. g*M + M - 1, the
// first of them its creator. Two users meet in round r only if their positions differ by less
// than M, that is, if their difference is k * stride_r (mod U) for some 0 < |k| < M. The strides
// are chosen so that these differences never repeat across rounds: then no two users meet twice,
// and every user has exactly C x (M - 1) contacts. When U is too small for that, each round takes
// the stride that repeats the fewest (and the contacts are fewer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "group_plan.hpp"

namespace parley_bench {

struct OverlapLayout {
  uint32_t users = 0;
  uint32_t members = 0;  // per group, the creator included
  uint32_t rounds = 0;   // conversations per user
  std::vector<uint32_t> strides;  // per round, each coprime with `users`
  std::vector<uint32_t> offsets;  // per round

  uint32_t groups_per_round() const noexcept { return members ? users / members : 0; }
  uint32_t groups() const noexcept { return rounds * groups_per_round(); }
  // Member i (0: the creator) of group `group`; groups are numbered round by round.
  uint32_t member(uint32_t group, uint32_t i) const noexcept;
};

// `users` must be a positive multiple of `members` (options.cpp refuses anything else).
OverlapLayout plan_overlapping_groups(uint32_t users, uint32_t conversations_per_user, uint32_t members);

GroupRosters rosters_of(const OverlapLayout& layout);

// Every user's contacts: the distinct other users it shares a group with, in order.
class ContactBook {
 public:
  ContactBook() = default;
  ContactBook(const GroupRosters& rosters, uint32_t users);

  uint32_t users() const noexcept { return start_.empty() ? 0 : static_cast<uint32_t>(start_.size() - 1); }
  std::span<const uint32_t> of(uint32_t user) const noexcept;
  // Every (user, contact) pair has an index in 0 .. pairs() - 1; nullopt when they are not contacts.
  std::optional<std::size_t> pair(uint32_t user, uint32_t contact) const noexcept;
  std::size_t pairs() const noexcept { return contacts_.size(); }

 private:
  std::vector<std::size_t> start_;  // user u's contacts are contacts_[start_[u] .. start_[u + 1])
  std::vector<uint32_t> contacts_;
};

struct ContactStats {
  uint32_t min = 0;
  uint32_t max = 0;
  double mean = 0;
};
ContactStats contact_stats(const ContactBook& book);

// The users a storm drops: `fraction` (0 < fraction <= 1) of them, spread evenly over the
// indexes, so that those left connected sit in the same conversations as the dropped ones.
std::vector<uint32_t> stormed_users(uint32_t users, double fraction);

}  // namespace parley_bench
