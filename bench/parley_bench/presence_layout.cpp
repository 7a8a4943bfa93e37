#include "presence_layout.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace parley_bench {

namespace {

// The differences (mod users) between users that a round with `stride` puts in one group:
// +-k * stride for 0 < k < members.
void meeting_differences(uint32_t users, uint32_t members, uint32_t stride, std::vector<uint32_t>& out) {
  out.clear();
  for (uint32_t k = 1; k < members; ++k) {
    auto d = static_cast<uint32_t>(static_cast<uint64_t>(k) * stride % users);
    out.push_back(d);
    out.push_back((users - d) % users);
  }
}

// How many of `differences` a round already used, or that repeat among themselves (tiny U).
std::size_t repeats(std::vector<uint32_t>& differences, const std::vector<uint8_t>& used) {
  std::size_t count = 0;
  for (uint32_t d : differences) count += used[d];
  std::sort(differences.begin(), differences.end());
  for (std::size_t i = 1; i < differences.size(); ++i) count += differences[i] == differences[i - 1];
  return count;
}

}  // namespace

uint32_t OverlapLayout::member(uint32_t group, uint32_t i) const noexcept {
  uint32_t per_round = groups_per_round();
  uint32_t round = group / per_round;
  uint64_t position = static_cast<uint64_t>(group % per_round) * members + i;
  return static_cast<uint32_t>((position * strides[round] + offsets[round]) % users);
}

OverlapLayout plan_overlapping_groups(uint32_t users, uint32_t conversations_per_user, uint32_t members) {
  OverlapLayout layout{users, members, conversations_per_user, {}, {}};
  std::vector<uint8_t> used(users, 0);
  std::vector<uint32_t> differences;
  // The search stops at the first stride that repeats nothing, which comes early unless U is
  // too small for distinct contacts; then it looks at a bounded number of candidates.
  uint64_t budget = std::max<uint64_t>(64, 50'000'000ull / (static_cast<uint64_t>(conversations_per_user) * members));
  for (uint32_t round = 0; round < conversations_per_user; ++round) {
    uint32_t best_stride = 1;
    std::size_t best_repeats = std::numeric_limits<std::size_t>::max();
    uint64_t tried = 0;
    for (uint32_t stride = 1; stride < std::max(users, 2u) && tried < budget; ++stride) {
      if (std::gcd(stride, users) != 1) continue;
      ++tried;
      meeting_differences(users, members, stride, differences);
      std::size_t count = repeats(differences, used);
      if (count < best_repeats) {
        best_repeats = count;
        best_stride = stride;
        if (count == 0) break;
      }
    }
    meeting_differences(users, members, best_stride, differences);
    for (uint32_t d : differences) used[d] = 1;
    layout.strides.push_back(best_stride);
    // Offsets move the block boundaries, and with them who creates which group, from round to round.
    layout.offsets.push_back(static_cast<uint32_t>(static_cast<uint64_t>(round) * users / conversations_per_user));
  }
  return layout;
}

GroupRosters rosters_of(const OverlapLayout& layout) {
  GroupRosters rosters;
  rosters.members = layout.members;
  rosters.flat.reserve(static_cast<std::size_t>(layout.groups()) * layout.members);
  for (uint32_t group = 0; group < layout.groups(); ++group) {
    for (uint32_t i = 0; i < layout.members; ++i) rosters.flat.push_back(layout.member(group, i));
  }
  return rosters;
}

ContactBook::ContactBook(const GroupRosters& rosters, uint32_t users) {
  std::vector<std::vector<uint32_t>> lists(users);
  for (uint32_t group = 0; group < rosters.groups(); ++group) {
    auto members = rosters.of(group);
    for (uint32_t a : members) {
      for (uint32_t b : members) {
        if (a != b) lists[a].push_back(b);
      }
    }
  }
  start_.reserve(static_cast<std::size_t>(users) + 1);
  start_.push_back(0);
  for (auto& list : lists) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    contacts_.insert(contacts_.end(), list.begin(), list.end());
    start_.push_back(contacts_.size());
    std::vector<uint32_t>().swap(list);
  }
}

std::span<const uint32_t> ContactBook::of(uint32_t user) const noexcept {
  if (user >= users()) return {};
  return std::span<const uint32_t>(contacts_).subspan(start_[user], start_[user + 1] - start_[user]);
}

std::optional<std::size_t> ContactBook::pair(uint32_t user, uint32_t contact) const noexcept {
  auto list = of(user);
  auto it = std::lower_bound(list.begin(), list.end(), contact);
  if (it == list.end() || *it != contact) return std::nullopt;
  return start_[user] + static_cast<std::size_t>(it - list.begin());
}

ContactStats contact_stats(const ContactBook& book) {
  ContactStats stats;
  if (book.users() == 0) return stats;
  stats.min = std::numeric_limits<uint32_t>::max();
  for (uint32_t user = 0; user < book.users(); ++user) {
    auto n = static_cast<uint32_t>(book.of(user).size());
    stats.min = std::min(stats.min, n);
    stats.max = std::max(stats.max, n);
  }
  stats.mean = static_cast<double>(book.pairs()) / book.users();
  return stats;
}

std::vector<uint32_t> stormed_users(uint32_t users, double fraction) {
  std::vector<uint32_t> stormed;
  for (uint32_t user = 0; user < users; ++user) {
    if (std::floor((user + 1) * fraction) > std::floor(user * fraction)) stormed.push_back(user);
  }
  return stormed;
}

}  // namespace parley_bench
