// Presence in the store (Store::presence_of, update_presence, contacts, appearing_offline): one
// suite run against every store. The database keeps when a user was last seen and whether it
// chose to appear offline; who is online lives in memory (chat/presence_service). A viewer reads
// the records of itself and of the users who share one of its conversations now: a stranger, an
// unknown id and a member who left are not answered. The records survive a reopening.
#include <gtest/gtest.h>

#include <algorithm>

#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;

namespace {

template <class Backend>
class Presence : public StoreFixture<Backend> {
 protected:
  using StoreFixture<Backend>::store_;
  using StoreFixture<Backend>::backend_;

  User user(const std::string& label) { return stored_user(*store_, label); }

  std::int64_t group(const User& creator, const std::vector<User>& others) {
    NewGroup g{"G", creator.id, {}, now_ms(), R"({"type":"created"})"};
    for (const auto& o : others) g.member_ids.push_back(o.id);
    return ok(wait_for<Result<Changed>>([&](auto done) { store_->create_group(g, done); })).state.id;
  }
  void remove(std::int64_t conversation, const User& actor, const User& removed) {
    ConversationChange c;
    c.remove = {removed.id};
    c.actor_id = actor.id;
    c.system_json = R"({"type":"member_removed"})";
    DecideChange decide = [c](const ConversationState&) -> ConversationDecision { return c; };
    ok(wait_for<Result<Changed>>([&](auto done) { store_->change_conversation(conversation, decide, done); }));
  }
  std::vector<PresenceRecord> records(const User& viewer, std::vector<std::string> ids) {
    auto found = ok(wait_for<Result<std::vector<PresenceRecord>>>(
        [&](auto done) { store_->presence_of(viewer.id, ids, done); }));
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
    return found;
  }
  bool update(PresenceUpdate u) {
    return ok(wait_for<Result<bool>>([&](auto done) { store_->update_presence(u, done); }));
  }
  std::vector<std::string> contacts(const User& of) {
    auto ids = ok(wait_for<Result<std::vector<std::string>>>([&](auto done) { store_->contacts(of.id, done); }));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  // Whether `u` is among those appearing offline (the PostgreSQL database is shared by the
  // tests, which run at once: others' users may be there too).
  bool appears_offline(const std::string& id) {
    auto ids = ok(wait_for<Result<std::vector<std::string>>>([&](auto done) { store_->appearing_offline(done); }));
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }
};

std::vector<std::string> ids_of(const std::vector<PresenceRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.user_id);
  return ids;
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(Presence, Backends);

TYPED_TEST(Presence, AViewerReadsItselfAndItsContactsOnly) {
  auto ann = this->user("ann"), ben = this->user("ben"), cid = this->user("cid"), stranger = this->user("stranger");
  this->group(ann, {ben, cid});
  auto all = std::vector<std::string>{ann.id, ben.id, cid.id, stranger.id, "id-nobody"};
  EXPECT_EQ(ids_of(this->records(ann, all)), sorted({ann.id, ben.id, cid.id}));
  EXPECT_EQ(ids_of(this->records(stranger, all)), std::vector<std::string>{stranger.id});
  EXPECT_EQ(this->contacts(ann), sorted({ben.id, cid.id}));
  EXPECT_TRUE(this->contacts(stranger).empty());
  for (const auto& r : this->records(ann, all)) {
    EXPECT_EQ(r.last_seen_at_ms, 0) << "never seen yet: " << r.user_id;
    EXPECT_FALSE(r.appear_offline);
  }
}

TYPED_TEST(Presence, AMemberWhoLeftIsNoContactAnyMore) {
  auto ann = this->user("ann"), ben = this->user("ben"), cid = this->user("cid");
  auto first = this->group(ann, {ben});
  auto second = this->group(ann, {ben, cid});
  this->remove(first, ann, ben);
  EXPECT_EQ(this->contacts(ben), sorted({ann.id, cid.id})) << "still shares the second group";
  this->remove(second, ann, ben);
  EXPECT_TRUE(this->contacts(ben).empty());
  EXPECT_EQ(this->contacts(ann), std::vector<std::string>{cid.id});
  EXPECT_EQ(ids_of(this->records(ann, {ben.id, cid.id})), std::vector<std::string>{cid.id});
}

TYPED_TEST(Presence, UpdatesSetEachFieldGivenAndKeepTheOther) {
  auto ann = this->user("ann"), ben = this->user("ben");
  this->group(ann, {ben});
  EXPECT_TRUE(this->update({ben.id, 1'700'000'000'123, std::nullopt}));
  EXPECT_TRUE(this->update({ben.id, std::nullopt, true}));
  auto seen = this->records(ann, {ben.id});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].last_seen_at_ms, 1'700'000'000'123);
  EXPECT_TRUE(seen[0].appear_offline);
  EXPECT_TRUE(this->appears_offline(ben.id));
  EXPECT_FALSE(this->appears_offline(ann.id));

  EXPECT_TRUE(this->update({ben.id, 1'700'000'999'000, false}));
  seen = this->records(ann, {ben.id});
  EXPECT_EQ(seen[0].last_seen_at_ms, 1'700'000'999'000);
  EXPECT_FALSE(seen[0].appear_offline);
  EXPECT_FALSE(this->appears_offline(ben.id));

  EXPECT_FALSE(this->update({"id-nobody", now_ms(), true})) << "an unknown user: nothing to update";
  EXPECT_FALSE(this->appears_offline("id-nobody"));
}

TYPED_TEST(Presence, RecordsSurviveAReopening) {
  auto ann = this->user("ann"), ben = this->user("ben");
  this->group(ann, {ben});
  EXPECT_TRUE(this->update({ben.id, 1'700'000'000'456, true}));
  this->store_->close();
  std::string why;
  this->store_ = this->backend_.open(why);
  ASSERT_TRUE(this->store_) << why;
  auto seen = this->records(ann, {ben.id});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].last_seen_at_ms, 1'700'000'000'456);
  EXPECT_TRUE(seen[0].appear_offline);
  EXPECT_TRUE(this->appears_offline(ben.id));
}

}  // namespace
