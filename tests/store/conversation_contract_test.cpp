// The conversation contract (store/conversations.hpp): one suite run against every store (SQLite
// in a temporary file, PostgreSQL on the ctest server), so that conversations, their gap-free
// log, membership and read markers behave the same on either; a randomized model test checks
// unread counts, last seqs, membership and the visible log after every step against a plain
// in-memory model. Tests share the PostgreSQL database: each makes its own users.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/migrations.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;

// --- the stores under test (global scope: short test names) --------------------------------------

namespace {

// A conversation id no store has handed out.
constexpr std::int64_t unknown_conversation = 4'000'000'000'000'000'000;

template <class T>
const T& value(const Result<T>& r) {
  if (auto* f = failed(r)) throw std::runtime_error("store call failed: " + f->message);
  return std::get<T>(r);
}

template <class T>
std::optional<Refusal> refusal_of(const Result<T>& r) {
  auto* f = failed(r);
  return f ? f->refusal : std::nullopt;
}

ConversationChange change_by(const std::string& actor, const std::string& type) {
  ConversationChange c;
  c.actor_id = actor;
  c.system_json = R"({"type":")" + type + R"(","actorId":")" + actor + R"("})";
  return c;
}

DecideChange always(ConversationChange change) {
  return [change = std::move(change)](const ConversationState&) -> ConversationDecision { return change; };
}

template <class Backend>
class ConversationContract : public StoreFixture<Backend> {
 protected:
  using StoreFixture<Backend>::store_;

  User user(const std::string& label) { return stored_user(*store_, label); }

  Result<Appended> append(ConversationRef to, const User& from, const std::string& content, std::string client_id = {}) {
    return wait_for<Result<Appended>>([&](auto done) {
      store_->append(NewEntry{std::move(to), from.id, content, now_ms(), std::move(client_id)}, done);
    });
  }
  Result<Appended> send(std::int64_t conversation, const User& from, const std::string& content) {
    return append(ConversationRef{conversation, {}}, from, content);
  }
  Result<Appended> send_direct(const User& from, const User& to, const std::string& content, std::string client_id = {}) {
    return append(ConversationRef{0, to.id}, from, content, std::move(client_id));
  }

  Result<LogPage> log(ConversationRef of, const User& viewer, std::optional<std::int64_t> before = std::nullopt,
                      std::size_t limit = 1000) {
    return wait_for<Result<LogPage>>(
        [&](auto done) { store_->read_log(LogRequest{std::move(of), viewer.id, before, limit}, done); });
  }
  Result<LogPage> log(std::int64_t conversation, const User& viewer, std::optional<std::int64_t> before = std::nullopt,
                      std::size_t limit = 1000) {
    return log(ConversationRef{conversation, {}}, viewer, before, limit);
  }

  Result<Changed> group(const User& creator, const std::vector<User>& others, const std::string& title = "Group") {
    NewGroup g;
    g.title = title;
    g.creator_id = creator.id;
    for (const auto& o : others) g.member_ids.push_back(o.id);
    g.created_at_ms = now_ms();
    g.system_json = R"({"type":"created","actorId":")" + creator.id + R"("})";
    return wait_for<Result<Changed>>([&](auto done) { store_->create_group(g, done); });
  }

  Result<Changed> change(std::int64_t conversation, DecideChange decide) {
    return wait_for<Result<Changed>>(
        [&](auto done) { store_->change_conversation(conversation, std::move(decide), done); });
  }
  Result<Changed> add(std::int64_t conversation, const User& actor, const User& added, Role role = Role::member) {
    auto c = change_by(actor.id, "members_added");
    c.add = {{added.id, role}};
    return change(conversation, always(c));
  }
  Result<Changed> remove(std::int64_t conversation, const User& actor, const User& removed) {
    auto c = change_by(actor.id, "member_removed");
    c.remove = {removed.id};
    return change(conversation, always(c));
  }

  Result<ConversationView> view(std::int64_t conversation, const User& viewer) {
    return wait_for<Result<ConversationView>>(
        [&](auto done) { store_->get_conversation(conversation, viewer.id, done); });
  }
  Result<ConversationPage> list(const User& u, std::optional<std::pair<std::int64_t, std::int64_t>> after = std::nullopt,
                                std::size_t limit = 50) {
    return wait_for<Result<ConversationPage>>(
        [&](auto done) { store_->list_conversations(ListRequest{u.id, after, limit}, done); });
  }
  std::optional<ConversationState> state(std::int64_t conversation) {
    return ok(wait_for<Result<std::optional<ConversationState>>>(
        [&](auto done) { store_->get_state(conversation, done); }));
  }
  Result<Marked> mark(std::int64_t conversation, const User& u, Marker marker, std::int64_t seq) {
    return wait_for<Result<Marked>>(
        [&](auto done) { store_->mark(MarkRequest{conversation, u.id, marker, seq, now_ms()}, done); });
  }

  static std::vector<std::int64_t> seqs(const LogPage& page) {
    std::vector<std::int64_t> out;
    for (const auto& e : page.entries) out.push_back(e.seq);
    return out;
  }
  static std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
    std::vector<std::int64_t> out;
    for (auto s = first; s <= last; ++s) out.push_back(s);
    return out;
  }

};

using Backends = ::testing::Types<SqliteBackend, SqliteBulkBackend, PostgresBackend>;
TYPED_TEST_SUITE(ConversationContract, Backends);

// --- the log --------------------------------------------------------------------------------------

TYPED_TEST(ConversationContract, ADirectConversationBeginsWithItsFirstMessage) {
  User a = this->user("Ann"), b = this->user("Ben");
  auto empty = value(this->log(ConversationRef{0, b.id}, a));
  EXPECT_TRUE(empty.entries.empty());
  EXPECT_EQ(empty.state.id, 0);
  auto first = value(this->send_direct(a, b, "hello"));
  EXPECT_TRUE(first.created_conversation);
  EXPECT_EQ(first.entry.seq, 1);
  EXPECT_EQ(first.entry.kind, EntryKind::text);
  EXPECT_EQ(first.entry.sender_name, a.name);
  EXPECT_EQ(std::set<std::string>(first.member_ids.begin(), first.member_ids.end()), (std::set<std::string>{a.id, b.id}));
  auto reply = value(this->send_direct(b, a, "hi"));
  EXPECT_FALSE(reply.created_conversation);
  EXPECT_EQ(reply.entry.conversation_id, first.entry.conversation_id);
  EXPECT_EQ(reply.entry.seq, 2);
  auto by_id = value(this->send(first.entry.conversation_id, a, "by id"));
  EXPECT_EQ(by_id.entry.seq, 3);
  for (const User* viewer : {&a, &b}) {
    const User& other = viewer == &a ? b : a;
    auto page = value(this->log(ConversationRef{0, other.id}, *viewer));
    EXPECT_EQ(this->seqs(page), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(page.state.id, first.entry.conversation_id);
    EXPECT_EQ(page.state.kind, ConversationKind::direct);
    EXPECT_EQ(page.state.last_seq, 3);
    ASSERT_EQ(page.state.members.size(), 2u);
    ASSERT_TRUE(page.state.member(other.id));
    EXPECT_EQ(page.state.member(other.id)->name, other.name);
    EXPECT_EQ(page.state.member(other.id)->joined_seq, 1);
    EXPECT_EQ(page.entries[0].content, "hello");
    EXPECT_EQ(page.entries[1].sender_id, b.id);
    EXPECT_EQ(page.entries[1].sender_name, b.name);
  }
}

TYPED_TEST(ConversationContract, SeqsAreGapFreeUnderConcurrentAppends) {
  User a = this->user("Ann"), b = this->user("Ben"), c = this->user("Cid");
  auto g = value(this->group(a, {b, c}));
  std::int64_t id = g.entry.conversation_id;
  constexpr int n = 300;
  std::vector<std::future<Result<Appended>>> sent;
  const User* senders[] = {&a, &b, &c};
  for (int i = 0; i < n; ++i) {
    auto p = std::make_shared<std::promise<Result<Appended>>>();
    sent.push_back(p->get_future());
    this->store_->append(NewEntry{ConversationRef{id, {}}, senders[i % 3]->id, numbered("m", i), now_ms()},
                         [p](Result<Appended> r) { p->set_value(std::move(r)); });
  }
  std::set<std::int64_t> seen;
  std::map<std::int64_t, std::int64_t> id_of_seq;
  for (auto& f : sent) {
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    auto r = f.get();
    const auto& e = value(r).entry;
    seen.insert(e.seq);
    id_of_seq[e.seq] = e.id;
  }
  auto all_seqs = this->range(2, n + 1);
  EXPECT_EQ(seen, std::set<std::int64_t>(all_seqs.begin(), all_seqs.end()));
  auto page = value(this->log(id, b));
  EXPECT_EQ(this->seqs(page), this->range(1, n + 1));
  for (std::size_t i = 1; i < page.entries.size(); ++i) EXPECT_EQ(page.entries[i].id, id_of_seq[page.entries[i].seq]);
  EXPECT_EQ(page.state.last_seq, n + 1);
  // Paging backwards by seq: the newest 10 below 100, then the 10 below those.
  EXPECT_EQ(this->seqs(value(this->log(id, c, 100, 10))), this->range(90, 99));
  EXPECT_EQ(this->seqs(value(this->log(id, c, 90, 10))), this->range(80, 89));
  EXPECT_EQ(this->seqs(value(this->log(id, c, 5, 10))), this->range(1, 4));
  EXPECT_EQ(this->seqs(value(this->log(id, c, std::nullopt, 3))), this->range(n - 1, n + 1));
}

TYPED_TEST(ConversationContract, AClientKeyStoresAnEntryOnce) {
  User a = this->user("Ann"), b = this->user("Ben"), c = this->user("Cid");
  auto first = value(this->send_direct(a, b, "once", "key-1"));
  EXPECT_FALSE(first.entry.already_stored);
  auto again = value(this->send_direct(a, b, "once", "key-1"));
  EXPECT_TRUE(again.entry.already_stored);
  EXPECT_EQ(again.entry.id, first.entry.id);
  EXPECT_EQ(again.entry.seq, first.entry.seq);
  EXPECT_EQ(again.entry.client_message_id, "key-1");
  EXPECT_EQ(again.member_ids.size(), 2u);
  // By conversation id, the same conversation: the same entry.
  auto by_id = value(this->append(ConversationRef{first.entry.conversation_id, {}}, a, "once", "key-1"));
  EXPECT_TRUE(by_id.entry.already_stored);
  EXPECT_EQ(by_id.entry.id, first.entry.id);
  auto reused = this->send_direct(a, b, "other", "key-1");
  auto* other_content = failed(reused);
  ASSERT_TRUE(other_content);
  EXPECT_EQ(other_content->message, client_message_id_reused);
  EXPECT_TRUE(failed(this->send_direct(a, c, "once", "key-1")));
  // The retries took no seq.
  EXPECT_EQ(value(this->send_direct(b, a, "next")).entry.seq, 2);
  EXPECT_EQ(this->seqs(value(this->log(ConversationRef{0, b.id}, a))), (std::vector<std::int64_t>{1, 2}));
}

// --- groups ---------------------------------------------------------------------------------------

TYPED_TEST(ConversationContract, AGroupBeginsWithItsCreatedEntry) {
  User owner = this->user("Olga"), m1 = this->user("Mia"), m2 = this->user("Max");
  auto created = value(this->group(owner, {m1, m2, m1}, "Team"));
  EXPECT_EQ(created.entry.seq, 1);
  EXPECT_EQ(created.entry.kind, EntryKind::system);
  EXPECT_EQ(created.entry.sender_id, owner.id);
  EXPECT_EQ(created.entry.content, "");
  EXPECT_NE(created.entry.system_json.find("created"), std::string::npos);
  EXPECT_EQ(created.state.kind, ConversationKind::group);
  EXPECT_EQ(created.state.title, "Team");
  EXPECT_EQ(created.state.last_seq, 1);
  ASSERT_EQ(created.state.members.size(), 3u);
  EXPECT_EQ(created.state.member(owner.id)->role, Role::owner);
  EXPECT_EQ(created.state.member(m1.id)->role, Role::member);
  EXPECT_EQ(created.state.member(m2.id)->name, m2.name);
  for (const auto& m : created.state.members) EXPECT_EQ(m.joined_seq, 1);
  std::int64_t id = created.entry.conversation_id;
  auto page = value(this->log(id, m2));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].system_json, created.entry.system_json);
  auto stored = this->state(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->members.size(), 3u);
  EXPECT_EQ(stored->last_seq, 1);
  EXPECT_FALSE(this->state(unknown_conversation));
  // Nobody has anything unread: the created entry is a system entry.
  EXPECT_EQ(value(this->view(id, m1)).unread_count, 0);
}

TYPED_TEST(ConversationContract, UnknownUsersAreNotFound) {
  User owner = this->user("Olga"), m = this->user("Mia");
  User ghost{"id-" + random_token(), "Ghost", "", "", 0};  // never stored
  EXPECT_EQ(refusal_of(this->group(owner, {m, ghost})), Refusal::not_found);
  auto g = value(this->group(owner, {m}));
  EXPECT_EQ(refusal_of(this->add(g.entry.conversation_id, owner, ghost)), Refusal::not_found);
  EXPECT_EQ(value(this->log(g.entry.conversation_id, owner)).state.last_seq, 1);  // nothing stored
  NewGroup big;
  big.title = "big";
  big.creator_id = owner.id;
  big.member_ids = {m.id};
  big.max_members = 1;
  big.system_json = "{}";
  auto refused_big = wait_for<Result<Changed>>([&](auto done) { this->store_->create_group(big, done); });
  EXPECT_EQ(refusal_of(refused_big), Refusal::invalid_argument);
}

TYPED_TEST(ConversationContract, ChangesApplyWhatTheRulesDecide) {
  User owner = this->user("Olga"), m1 = this->user("Mia"), m2 = this->user("Max"), late = this->user("Lea");
  std::int64_t id = value(this->group(owner, {m1, m2})).entry.conversation_id;

  // The rules see the current state (locked) and may refuse: the refusal passes through.
  std::int64_t seen_last_seq = -1;
  std::size_t seen_members = 0;
  auto refused = this->change(id, [&](const ConversationState& s) -> ConversationDecision {
    seen_last_seq = s.last_seq;
    seen_members = s.members.size();
    return Refusal::forbidden;
  });
  EXPECT_EQ(refusal_of(refused), Refusal::forbidden);
  EXPECT_TRUE(failed(refused)->client_error);
  EXPECT_EQ(seen_last_seq, 1);
  EXPECT_EQ(seen_members, 3u);
  EXPECT_EQ(refusal_of(this->change(id, [](const ConversationState&) -> ConversationDecision { return Refusal::conflict; })),
            Refusal::conflict);

  auto rename = change_by(owner.id, "title_changed");
  rename.title = "Renamed";
  auto renamed = value(this->change(id, always(rename)));
  EXPECT_EQ(renamed.entry.seq, 2);
  EXPECT_EQ(renamed.entry.kind, EntryKind::system);
  EXPECT_EQ(renamed.state.title, "Renamed");
  EXPECT_EQ(renamed.state.last_seq, 2);

  value(this->send(id, m1, "before Lea"));  // seq 3
  auto added = value(this->add(id, owner, late, Role::admin));
  EXPECT_EQ(added.entry.seq, 4);
  ASSERT_TRUE(added.state.member(late.id));
  EXPECT_EQ(added.state.member(late.id)->role, Role::admin);
  EXPECT_EQ(added.state.member(late.id)->joined_seq, 4);
  EXPECT_EQ(added.state.member(late.id)->read_seq, 4);
  EXPECT_EQ(refusal_of(this->add(id, owner, late)), Refusal::conflict);  // a duplicate member

  auto roles = change_by(owner.id, "role_changed");
  roles.roles = {{m2.id, Role::admin}};
  auto promoted = value(this->change(id, always(roles)));
  EXPECT_EQ(promoted.entry.seq, 5);
  EXPECT_EQ(promoted.state.member(m2.id)->role, Role::admin);

  auto removed = value(this->remove(id, owner, m1));
  EXPECT_EQ(removed.entry.seq, 6);
  EXPECT_EQ(removed.removed_ids, std::vector<std::string>{m1.id});
  EXPECT_FALSE(removed.state.member(m1.id));
  EXPECT_EQ(removed.state.members.size(), 3u);

  // The one who joined late sees the log from its members_added entry on.
  value(this->send(id, m2, "after"));  // seq 7
  EXPECT_EQ(this->seqs(value(this->log(id, late))), this->range(4, 7));
  EXPECT_EQ(this->seqs(value(this->log(id, late, 6, 100))), this->range(4, 5));
  EXPECT_EQ(this->seqs(value(this->log(id, late, 4, 100))), std::vector<std::int64_t>{});
  EXPECT_EQ(this->seqs(value(this->log(id, owner))), this->range(1, 7));
  EXPECT_EQ(value(this->view(id, late)).unread_count, 1);  // "after", not "before Lea"
  // The removed member sees nothing and can do nothing.
  EXPECT_EQ(refusal_of(this->log(id, m1)), Refusal::forbidden);
  EXPECT_EQ(refusal_of(this->send(id, m1, "still here?")), Refusal::forbidden);
  EXPECT_EQ(refusal_of(this->view(id, m1)), Refusal::forbidden);
  EXPECT_EQ(refusal_of(this->mark(id, m1, Marker::read, 7)), Refusal::forbidden);
  auto m1_list = this->list(m1);
  for (const auto& c : value(m1_list).conversations) EXPECT_NE(c.state.id, id);
  // A rejoin gets a new joined_seq.
  auto back = value(this->add(id, owner, m1));
  EXPECT_EQ(back.state.member(m1.id)->joined_seq, 8);
  EXPECT_EQ(this->seqs(value(this->log(id, m1))), this->range(8, 8));
}

TYPED_TEST(ConversationContract, NonMembersAndUnknownConversationsAreForbidden) {
  User a = this->user("Ann"), b = this->user("Ben"), stranger = this->user("Sam");
  std::int64_t direct = value(this->send_direct(a, b, "private")).entry.conversation_id;
  std::int64_t grp = value(this->group(a, {b})).entry.conversation_id;
  for (std::int64_t id : {direct, grp, unknown_conversation}) {
    EXPECT_EQ(refusal_of(this->send(id, stranger, "let me in")), Refusal::forbidden) << id;
    EXPECT_EQ(refusal_of(this->log(id, stranger)), Refusal::forbidden) << id;
    EXPECT_EQ(refusal_of(this->view(id, stranger)), Refusal::forbidden) << id;
    EXPECT_EQ(refusal_of(this->mark(id, stranger, Marker::read, 1)), Refusal::forbidden) << id;
    EXPECT_EQ(refusal_of(this->mark(id, stranger, Marker::delivered, 1)), Refusal::forbidden) << id;
  }
  EXPECT_EQ(refusal_of(this->change(unknown_conversation, always(change_by(a.id, "title_changed")))), Refusal::forbidden);
  EXPECT_TRUE(value(this->list(stranger)).conversations.empty());
  EXPECT_EQ(value(this->log(direct, b)).state.last_seq, 1);  // nothing was stored
}

// --- read state -----------------------------------------------------------------------------------

TYPED_TEST(ConversationContract, MarkersMoveForwardOnly) {
  User a = this->user("Ann"), b = this->user("Ben"), c = this->user("Cid");
  std::int64_t id = value(this->group(a, {b, c})).entry.conversation_id;
  for (int i = 0; i < 5; ++i) value(this->send(id, a, numbered("a", i)));  // seqs 2-6
  value(this->send(id, b, "own"));                                            // seq 7
  auto seen = value(this->view(id, b));
  EXPECT_EQ(seen.unread_count, 5);  // others' text entries only: not its own, not `created`
  EXPECT_EQ(seen.last_read_seq, 1);
  EXPECT_EQ(seen.state.last_seq, 7);

  auto delivered = value(this->mark(id, b, Marker::delivered, 4));
  EXPECT_TRUE(delivered.moved);
  EXPECT_EQ(delivered.delivered_seq, 4);
  EXPECT_EQ(delivered.read_seq, 1);
  EXPECT_EQ(delivered.unread_count, 5);
  EXPECT_EQ(delivered.member_ids.size(), 3u);

  auto read = value(this->mark(id, b, Marker::read, 3));
  EXPECT_TRUE(read.moved);
  EXPECT_EQ(read.read_seq, 3);
  EXPECT_EQ(read.delivered_seq, 4);  // already past
  EXPECT_EQ(read.unread_count, 3);

  auto back = value(this->mark(id, b, Marker::read, 2));
  EXPECT_FALSE(back.moved);
  EXPECT_EQ(back.read_seq, 3);
  EXPECT_EQ(back.unread_count, 3);

  auto further = value(this->mark(id, b, Marker::read, 5));  // read implies delivered
  EXPECT_EQ(further.read_seq, 5);
  EXPECT_EQ(further.delivered_seq, 5);
  EXPECT_EQ(further.unread_count, 1);

  auto clamped = value(this->mark(id, b, Marker::read, 1000));
  EXPECT_EQ(clamped.read_seq, 7);
  EXPECT_EQ(clamped.delivered_seq, 7);
  EXPECT_EQ(clamped.unread_count, 0);
  EXPECT_FALSE(value(this->mark(id, b, Marker::delivered, 6)).moved);

  auto delivered_clamped = value(this->mark(id, c, Marker::delivered, 99));
  EXPECT_EQ(delivered_clamped.delivered_seq, 7);
  EXPECT_EQ(delivered_clamped.read_seq, 1);

  auto now = value(this->view(id, b));
  EXPECT_EQ(now.unread_count, 0);
  EXPECT_EQ(now.last_read_seq, 7);
  EXPECT_EQ(now.last_delivered_seq, 7);
  auto s = *this->state(id);
  EXPECT_EQ(s.member(b.id)->read_seq, 7);
  EXPECT_EQ(s.member(c.id)->delivered_seq, 7);
  EXPECT_EQ(s.member(c.id)->read_seq, 1);
  value(this->send(id, c, "new"));
  EXPECT_EQ(value(this->view(id, b)).unread_count, 1);
  EXPECT_EQ(value(this->view(id, a)).unread_count, 2);  // b's "own" and c's "new"
}

// --- the list -------------------------------------------------------------------------------------

TYPED_TEST(ConversationContract, TheListIsByLatestActivityWithACursor) {
  User me = this->user("Me"), x = this->user("Xia"), y = this->user("Yan");
  std::int64_t g1 = value(this->group(me, {x}, "one")).entry.conversation_id;
  std::int64_t g2 = value(this->group(me, {y}, "two")).entry.conversation_id;
  std::int64_t d = value(this->send_direct(x, me, "direct")).entry.conversation_id;
  std::this_thread::sleep_for(5ms);  // activity is in ms: keep the orders apart
  value(this->send(g1, x, "bump one"));
  std::this_thread::sleep_for(5ms);
  std::int64_t g3 = value(this->group(y, {me}, "three")).entry.conversation_id;

  auto all = value(this->list(me));
  std::vector<std::int64_t> order;
  for (const auto& c : all.conversations) order.push_back(c.state.id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{g3, g1, d, g2}));
  EXPECT_FALSE(all.next);
  const auto& one = all.conversations[1];
  EXPECT_EQ(one.state.title, "one");
  EXPECT_EQ(one.unread_count, 1);
  ASSERT_TRUE(one.last_message);
  EXPECT_EQ(one.last_message->content, "bump one");
  EXPECT_EQ(one.my_role, Role::owner);
  EXPECT_EQ(all.conversations[0].my_role, Role::member);
  ASSERT_TRUE(all.conversations[0].last_message);
  EXPECT_EQ(all.conversations[0].last_message->kind, EntryKind::system);
  EXPECT_EQ(all.conversations[2].state.kind, ConversationKind::direct);
  EXPECT_EQ(all.conversations[2].unread_count, 1);
  for (std::size_t i = 1; i < all.conversations.size(); ++i) {
    EXPECT_GE(all.conversations[i - 1].last_activity_ms, all.conversations[i].last_activity_ms);
  }

  auto first = value(this->list(me, std::nullopt, 3));
  ASSERT_EQ(first.conversations.size(), 3u);
  ASSERT_TRUE(first.next);
  auto second = value(this->list(me, first.next, 3));
  ASSERT_EQ(second.conversations.size(), 1u);
  EXPECT_EQ(second.conversations[0].state.id, g2);
  EXPECT_FALSE(second.next);
  auto exact = value(this->list(me, std::nullopt, 4));
  EXPECT_EQ(exact.conversations.size(), 4u);
  EXPECT_FALSE(exact.next);
}

// One user with 5,000 conversations: every page in order, nothing missed or repeated; prints
// how long a page of 50 takes (no assertion on it: machines differ).
TYPED_TEST(ConversationContract, AListOfFiveThousandConversationsPages) {
  User me = this->user("Busy"), other = this->user("Other");
  constexpr int n = 5'000;
  std::vector<std::future<Result<Changed>>> created;
  std::int64_t base = now_ms();
  for (int i = 0; i < n; ++i) {
    NewGroup g;
    g.title = numbered("g", i);
    g.creator_id = i % 2 ? me.id : other.id;
    g.member_ids = {i % 2 ? other.id : me.id};
    g.created_at_ms = base + i / 3;  // ties in activity: the id breaks them
    g.system_json = R"({"type":"created"})";
    auto p = std::make_shared<std::promise<Result<Changed>>>();
    created.push_back(p->get_future());
    this->store_->create_group(g, [p](Result<Changed> r) { p->set_value(std::move(r)); });
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> expected;  // (activity, id)
  for (auto& f : created) {
    ASSERT_EQ(f.wait_for(120s), std::future_status::ready);
    auto r = f.get();
    const auto& c = value(r);
    expected.push_back({c.entry.created_at_ms, c.entry.conversation_id});
  }
  std::sort(expected.rbegin(), expected.rend());
  std::vector<std::pair<std::int64_t, std::int64_t>> listed;
  std::optional<std::pair<std::int64_t, std::int64_t>> cursor;
  double slowest_ms = 0, first_ms = 0;
  int pages = 0;
  do {
    auto start = std::chrono::steady_clock::now();
    auto page = value(this->list(me, cursor, 50));
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (pages++ == 0) first_ms = ms;
    slowest_ms = std::max(slowest_ms, ms);
    for (const auto& c : page.conversations) listed.push_back({c.last_activity_ms, c.state.id});
    cursor = page.next;
    ASSERT_LE(pages, n / 50 + 1);
  } while (cursor);
  EXPECT_EQ(listed, expected);
  std::printf("[ list ] 5000 conversations, page of 50: first %.2f ms, slowest of %d pages %.2f ms\n", first_ms, pages,
              slowest_ms);
}

// --- the randomized model -------------------------------------------------------------------------

// A plain model of what the store must answer: per conversation its entries (sender, text or
// system) and members with joined_seq and read_seq.
struct Model {
  struct Entry {
    std::string sender;
    bool text;
  };
  struct Conversation {
    std::int64_t id = 0;
    std::vector<Entry> log;  // seq i + 1
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> members;  // user -> (joined_seq, read_seq)
    std::int64_t last_seq() const { return static_cast<std::int64_t>(log.size()); }
    std::int64_t unread(const std::string& user) const {
      std::int64_t n = 0;
      for (auto seq = members.at(user).second + 1; seq <= last_seq(); ++seq) {
        const auto& e = log[static_cast<std::size_t>(seq - 1)];
        n += e.text && e.sender != user;
      }
      return n;
    }
  };
  std::vector<Conversation> conversations;
};

TYPED_TEST(ConversationContract, RandomOperationsMatchAModel) {
  std::uint64_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("PARLEY_MODEL_SEED")) seed = std::strtoull(fixed, nullptr, 10);
  std::printf("[ model ] seed %llu (PARLEY_MODEL_SEED=%llu reproduces it)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };

  std::vector<User> users;
  for (int i = 0; i < 8; ++i) users.push_back(this->user(numbered("u", i)));
  Model model;
  for (int g = 0; g < 5; ++g) {
    std::vector<User> others;
    for (std::size_t u = 1; u < users.size(); ++u) {
      if (random() % 2) others.push_back(users[(g + u) % users.size()]);
    }
    const User& creator = users[static_cast<std::size_t>(g) % users.size()];
    auto created = value(this->group(creator, others));
    Model::Conversation c;
    c.id = created.entry.conversation_id;
    c.log.push_back({creator.id, false});
    c.members[creator.id] = {1, 1};
    for (const auto& o : others) c.members[o.id] = {1, 1};
    model.conversations.push_back(c);
  }

  auto check_all = [&](int step, std::size_t touched) {
    for (std::size_t ci = 0; ci < model.conversations.size(); ++ci) {
      const auto& c = model.conversations[ci];
      for (const auto& u : users) {
        auto v = this->view(c.id, u);
        auto member = c.members.find(u.id);
        if (member == c.members.end()) {
          ASSERT_EQ(refusal_of(v), Refusal::forbidden) << "step " << step << " conversation " << ci << " " << u.name;
          if (ci == touched) {
            ASSERT_EQ(refusal_of(this->log(c.id, u)), Refusal::forbidden) << "step " << step;
          }
          continue;
        }
        ASSERT_FALSE(failed(v)) << "step " << step << ": " << failed(v)->message;
        const auto& got = std::get<ConversationView>(v);
        ASSERT_EQ(got.state.last_seq, c.last_seq()) << "step " << step << " conversation " << ci;
        ASSERT_EQ(got.last_read_seq, member->second.second) << "step " << step << " conversation " << ci << " " << u.name;
        ASSERT_EQ(got.unread_count, c.unread(u.id)) << "step " << step << " conversation " << ci << " " << u.name;
        ASSERT_EQ(got.state.members.size(), c.members.size()) << "step " << step;
        if (ci == touched) {
          auto page = value(this->log(c.id, u));
          ASSERT_EQ(this->seqs(page), this->range(member->second.first, c.last_seq())) << "step " << step << " " << u.name;
        }
      }
    }
  };

  int steps = 2000;
  if (const char* fixed = std::getenv("PARLEY_MODEL_STEPS")) steps = std::atoi(fixed);
  for (int step = 0; step < steps; ++step) {
    std::size_t ci = pick(model.conversations.size());
    auto& c = model.conversations[ci];
    const User& u = users[pick(users.size())];
    bool member = c.members.count(u.id) > 0;
    auto roll = pick(100);
    if (roll < 45) {  // a send, by a member or (refused) not
      auto r = this->send(c.id, u, numbered("s", step));
      if (!member) {
        ASSERT_EQ(refusal_of(r), Refusal::forbidden) << "step " << step;
      } else {
        ASSERT_EQ(value(r).entry.seq, c.last_seq() + 1) << "step " << step;
        c.log.push_back({u.id, true});
      }
    } else if (roll < 75) {  // a read mark anywhere up to a bit past the end
      std::int64_t seq = static_cast<std::int64_t>(pick(static_cast<std::size_t>(c.last_seq() + 3)));
      auto r = this->mark(c.id, u, Marker::read, seq);
      if (!member) {
        ASSERT_EQ(refusal_of(r), Refusal::forbidden) << "step " << step;
      } else {
        auto& read = c.members[u.id].second;
        std::int64_t target = std::min(seq, c.last_seq());
        ASSERT_EQ(value(r).moved, target > read) << "step " << step;
        read = std::max(read, target);
        ASSERT_EQ(value(r).read_seq, read) << "step " << step;
        ASSERT_EQ(value(r).unread_count, c.unread(u.id)) << "step " << step;
      }
    } else if (roll < 88) {  // a join (by a current member)
      if (member || c.members.empty()) continue;
      const User* actor = nullptr;
      for (const auto& v : users) {
        if (c.members.count(v.id)) actor = &v;
      }
      auto r = value(this->add(c.id, *actor, u));
      ASSERT_EQ(r.entry.seq, c.last_seq() + 1) << "step " << step;
      c.log.push_back({actor->id, false});
      c.members[u.id] = {c.last_seq(), c.last_seq()};
    } else {  // a leave
      if (!member || c.members.size() <= 1) continue;
      auto r = value(this->remove(c.id, u, u));
      ASSERT_EQ(r.entry.seq, c.last_seq() + 1) << "step " << step;
      c.log.push_back({u.id, false});
      c.members.erase(u.id);
    }
    check_all(step, ci);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The list agrees with the views: every user's conversations and their unread counts.
  for (const auto& u : users) {
    std::map<std::int64_t, std::int64_t> unread;
    auto listed = this->list(u, std::nullopt, 100);
    for (const auto& c : value(listed).conversations) unread[c.state.id] = c.unread_count;
    std::map<std::int64_t, std::int64_t> expected;
    for (const auto& c : model.conversations) {
      if (c.members.count(u.id)) expected[c.id] = c.unread(u.id);
    }
    EXPECT_EQ(unread, expected) << u.name;
  }
}

// --- SQLite: migrating a database of schema 2 -----------------------------------------------------

std::int64_t scalar(const std::filesystem::path& file, const std::string& sql) {
  sqlite::Connection db(file.string(), "FULL");
  sqlite::Statement s(db.handle(), sql);
  return s.step() ? s.int64(0) : -1;
}

TEST(SqliteConversations, MigratingSchemaTwoGivesSeqsInIdOrder) {
  TempDir dir;
  auto file = dir.path / "parley.db";
  {
    sqlite::Connection db(file.string(), "FULL");
    db.exec("CREATE TABLE parley_schema (version INTEGER NOT NULL)");
    db.exec(migrations()[0].sqlite);
    db.exec("INSERT INTO parley_schema (version) VALUES (1)");
    db.exec("INSERT INTO users (id, name, created_at) VALUES ('a', 'A', 0), ('b', 'B', 0), ('c', 'C', 0)");
    db.exec("INSERT INTO conversations (kind, direct_key, created_at) VALUES ('direct', 'a:b', 10), ('direct', 'a:c', 20)");
    db.exec("INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES "
            "(1, 'a', 10), (1, 'b', 10), (2, 'a', 20), (2, 'c', 20)");
    // Ids 1-4 before migration 2 (indexed by it), 5-6 after (left to RecentMessages).
    db.exec("INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES "
            "(1, 'a', 'one', 100), (2, 'a', 'other', 110), (1, 'b', 'two', 120), (1, 'a', 'three', 130)");
    db.exec(migrations()[1].sqlite);
    db.exec("INSERT INTO parley_schema (version) VALUES (2)");
    db.exec("INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES "
            "(2, 'c', 'reply', 140), (1, 'b', 'four', 150)");
    db.exec("UPDATE conversation_members SET last_read_message_id = 3 WHERE conversation_id = 1 AND user_id = 'a'");
  }
  auto store = open_sqlite(file.string(), "FULL");
  User a{"a", "A", "", "", 0}, b{"b", "B", "", "", 0};
  auto page = ok(wait_for<Result<LogPage>>(
      [&](auto done) { store->read_log(LogRequest{ConversationRef{0, "b"}, "a", std::nullopt, 10}, done); }));
  std::vector<std::pair<std::int64_t, std::int64_t>> id_seq;
  for (const auto& e : page.entries) id_seq.push_back({e.id, e.seq});
  EXPECT_EQ(id_seq, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {3, 2}, {4, 3}, {6, 4}}));
  EXPECT_EQ(page.state.last_seq, 4);
  ASSERT_TRUE(page.state.member("a"));
  EXPECT_EQ(page.state.member("a")->joined_seq, 1);
  EXPECT_EQ(page.state.member("a")->read_seq, 2);  // message 3
  auto older = ok(wait_for<Result<LogPage>>(
      [&](auto done) { store->read_log(LogRequest{ConversationRef{1, {}}, "b", 3, 10}, done); }));
  EXPECT_EQ(older.entries.size(), 2u);
  auto view = ok(wait_for<Result<ConversationView>>([&](auto done) { store->get_conversation(1, "a", done); }));
  EXPECT_EQ(view.unread_count, 1);  // b's "four"
  EXPECT_EQ(view.last_activity_ms, 150);
  ASSERT_TRUE(view.last_message);
  EXPECT_EQ(view.last_message->id, 6);
  auto list = ok(wait_for<Result<ConversationPage>>(
      [&](auto done) { store->list_conversations(ListRequest{"a", std::nullopt, 10}, done); }));
  ASSERT_EQ(list.conversations.size(), 2u);
  EXPECT_EQ(list.conversations[0].state.id, 1);
  EXPECT_EQ(list.conversations[1].state.last_seq, 2);
  auto next = ok(wait_for<Result<Appended>>(
      [&](auto done) { store->append(NewEntry{ConversationRef{2, {}}, "c", "new", 200}, done); }));
  EXPECT_EQ(next.entry.seq, 3);
  store->close();
  EXPECT_EQ(scalar(file, "SELECT COUNT(*) FROM messages WHERE seq = 0"), 0);
  EXPECT_EQ(scalar(file, "SELECT COUNT(*) FROM conversation_messages WHERE seq = 0"), 0);
  EXPECT_EQ(scalar(file, "SELECT MAX(version) FROM parley_schema"), latest_schema_version());
}

// Conversation rows get their tails from the bulk index: after a restart, with entries indexed
// or not, the log goes on from the right seq and reads see the newest entries.
TEST(SqliteConversations, TailsSurviveARestartIndexedOrNot) {
  for (std::size_t bulk : {std::size_t{5}, std::size_t{100'000}}) {
    TempDir dir;
    auto file = (dir.path / "parley.db").string();
    SqliteIndexOptions index{.bulk_rows = bulk, .per_conversation = 1, .max_rows = bulk, .chunk_rows = 2};
    User a{"id-a" + random_token(), "A", "", "", 0}, b{"id-b" + random_token(), "B", "", "", 0};
    std::int64_t group = 0, direct = 0;
    auto append = [&](Store& store, std::int64_t to, const User& from, std::int64_t at) {
      return ok(wait_for<Result<Appended>>(
          [&](auto done) { store.append(NewEntry{ConversationRef{to, {}}, from.id, "m", at}, done); }));
    };
    {
      auto store = open_sqlite(file, "FULL", {}, index);
      for (const User& u : {a, b}) ok(wait_for<Result<User>>([&](auto done) { store->ensure_user(u, done); }));
      NewGroup g{"g", a.id, {b.id}, 1'000, "{}"};
      group = ok(wait_for<Result<Changed>>([&](auto done) { store->create_group(g, done); })).entry.conversation_id;
      direct = ok(wait_for<Result<Appended>>([&](auto done) {
                 store->append(NewEntry{ConversationRef{0, b.id}, a.id, "hi", 2'000}, done);
               })).entry.conversation_id;
      for (int i = 0; i < 7; ++i) append(*store, group, i % 2 ? a : b, 3'000 + i);  // seqs 2-8
      store->close();
    }
    // Small bulks wrote part of the tail to the row; without a bulk the row still says 0.
    auto row_seq = scalar(file, "SELECT last_seq FROM conversations WHERE id = " + std::to_string(group));
    if (bulk == 5) {
      EXPECT_GT(row_seq, 1);
      EXPECT_LT(row_seq, 8);
    } else {
      EXPECT_EQ(row_seq, 0);
    }
    auto store = open_sqlite(file, "FULL", {}, index);
    EXPECT_EQ(append(*store, group, a, 4'000).entry.seq, 9) << "bulk " << bulk;
    EXPECT_EQ(append(*store, direct, b, 5'000).entry.seq, 2) << "bulk " << bulk;
    auto state = ok(wait_for<Result<std::optional<ConversationState>>>([&](auto done) { store->get_state(group, done); }));
    ASSERT_TRUE(state);
    EXPECT_EQ(state->last_seq, 9);
    auto list = ok(wait_for<Result<ConversationPage>>(
        [&](auto done) { store->list_conversations(ListRequest{a.id, std::nullopt, 10}, done); }));
    ASSERT_EQ(list.conversations.size(), 2u);
    EXPECT_EQ(list.conversations[0].state.id, direct);
    EXPECT_EQ(list.conversations[0].last_activity_ms, 5'000);
    EXPECT_EQ(list.conversations[0].unread_count, 1);
    EXPECT_EQ(list.conversations[1].last_activity_ms, 4'000);
    EXPECT_EQ(list.conversations[1].state.last_seq, 9);
    ASSERT_TRUE(list.conversations[1].last_message);
    EXPECT_EQ(list.conversations[1].last_message->seq, 9);
    EXPECT_EQ(list.conversations[1].unread_count, 4);  // b's 2, 4, 6, 8
    store->close();

  }
}

// A reader on its own thread while the writer appends, bulk-indexes (writing the rows' tails)
// and prunes: every view and page is whole (seqs 1..last_seq, none missing) and never behind
// what was acknowledged before it was asked for.
TEST(SqliteConversations, ConcurrentReadsSeeWholeLogs) {
  TempDir dir;
  auto store = open_sqlite((dir.path / "parley.db").string(), "FULL", {},
                           SqliteIndexOptions{.bulk_rows = 16, .per_conversation = 1, .max_rows = 16, .chunk_rows = 5});
  User a{"id-a" + random_token(), "A", "", "", 0}, b{"id-b" + random_token(), "B", "", "", 0};
  for (const User& u : {a, b}) ok(wait_for<Result<User>>([&](auto done) { store->ensure_user(u, done); }));
  NewGroup g{"g", a.id, {b.id}, 1'000, "{}"};
  std::int64_t group = ok(wait_for<Result<Changed>>([&](auto done) { store->create_group(g, done); })).entry.conversation_id;
  std::atomic<std::int64_t> acknowledged{1};
  std::atomic<bool> writing{true};
  std::string problem;
  int reads = 0;
  std::thread reader([&] {
    while (writing || reads == 0) {
      std::int64_t known = acknowledged;
      auto view = ok(wait_for<Result<ConversationView>>([&](auto done) { store->get_conversation(group, b.id, done); }));
      auto page = ok(wait_for<Result<LogPage>>(
          [&](auto done) { store->read_log(LogRequest{ConversationRef{group, {}}, a.id, std::nullopt, 100'000}, done); }));
      ++reads;
      bool whole = !page.entries.empty() && page.entries.back().seq == page.state.last_seq;
      for (std::size_t i = 0; whole && i < page.entries.size(); ++i) whole = page.entries[i].seq == std::int64_t(i) + 1;
      bool fresh = view.state.last_seq >= known && page.state.last_seq >= view.state.last_seq;
      bool last = view.last_message && view.last_message->seq == view.state.last_seq;
      if ((!whole || !fresh || !last) && problem.empty()) {
        problem = "read " + std::to_string(reads) + ": view last_seq " + std::to_string(view.state.last_seq) +
                  ", page of " + std::to_string(page.entries.size()) + " to " + std::to_string(page.state.last_seq) +
                  ", acknowledged " + std::to_string(known);
      }
    }
  });
  for (int i = 0; i < 400; ++i) {
    auto r = ok(wait_for<Result<Appended>>([&](auto done) {
      store->append(NewEntry{ConversationRef{group, {}}, i % 2 ? a.id : b.id, "m", now_ms()}, done);
    }));
    acknowledged = r.entry.seq;
  }
  writing = false;
  reader.join();
  EXPECT_EQ(problem, "");
  EXPECT_GT(reads, 10);
  auto view = ok(wait_for<Result<ConversationView>>([&](auto done) { store->get_conversation(group, b.id, done); }));
  EXPECT_EQ(view.state.last_seq, 401);
  EXPECT_EQ(view.unread_count, 200);  // a's
  store->close();
}

// Log pages walk the conversation index along its key (conversation, seq) from their bound (no scan, no sort); the list reads the
// memberships from their index.
TEST(SqliteConversations, PagesReadTheirIndexes) {
  TempDir dir;
  auto file = dir.path / "parley.db";
  open_sqlite(file.string(), "FULL")->close();
  sqlite::Connection db(file.string(), "FULL");
  sqlite::Statement plan(db.handle(),
                         "EXPLAIN QUERY PLAN SELECT ci.message_id FROM conversation_messages ci "
                         "JOIN messages m ON m.id = ci.message_id "
                         "WHERE ci.conversation_id = ?1 AND ci.seq >= ?2 AND ci.seq < ?3 AND ci.message_id <= ?4 "
                         "ORDER BY ci.seq DESC LIMIT ?5");
  std::string text;
  while (plan.step()) text += plan.text(3) + "\n";
  EXPECT_NE(text.find("PRIMARY KEY (conversation_id=? AND seq>? AND seq<?)"), std::string::npos) << text;
  EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos) << text;
  // The list reads the user's memberships from the index alone.
  sqlite::Statement list(db.handle(),
                         "EXPLAIN QUERY PLAN SELECT c.id FROM conversation_members cm "
                         "JOIN conversations c ON c.id = cm.conversation_id "
                         "WHERE cm.user_id = ?1 AND (c.last_activity_at < ?2 OR (c.last_activity_at = ?2 AND c.id < ?3)) "
                         "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?4");
  text.clear();
  while (list.step()) text += list.text(3) + "\n";
  EXPECT_NE(text.find("COVERING INDEX conversation_members_user (user_id=?)"), std::string::npos) << text;
}

}  // namespace
