// Changing messages in the store (Store::change_message, message_history, replies): one suite
// run against every store. Every change is a log entry with the next seq; an edit keeps the
// version it replaces; a deletion erases the text, its versions and its reactions in the
// database itself (checked with SQL beside the store), keeps a tombstone in the log, and leaves
// unread counts and the list's last message exact; changes are no activity (the list's order
// stays); a reply must name a message of its conversation that its sender may see.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "store/pg_connection.hpp"
#include "store/sqlite.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;

namespace {

// Rows of messages whose text contains `needle`, read with SQL beside the store.
template <class SqliteFile>  // a backend with its database file in `dir`
std::int64_t rows_with(SqliteFile& b, const std::string& needle) {
  sqlite::Connection db((b.dir.path / "parley.db").string(), "FULL");
  sqlite::Statement s(db.handle(), "SELECT COUNT(*) FROM messages WHERE instr(content, ?) > 0");
  s.bind(1, needle);
  return s.step() ? s.int64(0) : -1;
}
std::int64_t rows_with(PostgresBackend&, const std::string& needle) {
  std::string why;
  pg::Connection db(postgres_test_url(why), 10s);
  auto r = db.exec("SELECT count(*) FROM messages WHERE strpos(content, $1) > 0", pg::Params().text(needle),
                   pg::Clock::now() + 10s);
  return r.int64(0, 0);
}

// The rule of a test: always apply (the chat's rules are tested on their own).
MessageDecision apply_it(const MessageFacts&) { return MessageEffect::apply; }

template <class Backend>
class MessageChanges : public StoreFixture<Backend> {
 protected:
  using StoreFixture<Backend>::store_;
  using StoreFixture<Backend>::backend_;

  User user(const std::string& label) { return stored_user(*store_, label); }

  Changed group(const User& creator, const std::vector<User>& others) {
    NewGroup g{"G", creator.id, {}, now_ms(), R"({"type":"created"})"};
    for (const auto& o : others) g.member_ids.push_back(o.id);
    return ok(wait_for<Result<Changed>>([&](auto done) { store_->create_group(g, done); }));
  }
  Result<Appended> append(std::int64_t conversation, const User& from, const std::string& content,
                          std::int64_t reply_to = 0, std::int64_t at = now_ms()) {
    return wait_for<Result<Appended>>([&](auto done) {
      store_->append(NewEntry{ConversationRef{conversation, {}}, from.id, content, at, {}, reply_to}, done);
    });
  }
  Result<MessageChanged> change(std::int64_t message, const User& actor, MessageAction action, std::string text = {},
                                DecideMessageChange decide = apply_it) {
    return wait_for<Result<MessageChanged>>([&](auto done) {
      store_->change_message(MessageChange{message, actor.id, action, std::move(text), now_ms()}, std::move(decide), done);
    });
  }
  MessageHistory versions(std::int64_t message, const User& viewer) {
    return ok(wait_for<Result<MessageHistory>>([&](auto done) { store_->message_history(message, viewer.id, done); }));
  }
  LogPage log(std::int64_t conversation, const User& viewer) {
    return ok(wait_for<Result<LogPage>>(
        [&](auto done) { store_->read_log(LogRequest{ConversationRef{conversation, {}}, viewer.id, std::nullopt, 100}, done); }));
  }
  ConversationView view(std::int64_t conversation, const User& viewer) {
    return ok(wait_for<Result<ConversationView>>([&](auto done) { store_->get_conversation(conversation, viewer.id, done); }));
  }
  std::int64_t rows_with(const std::string& needle) { return ::rows_with(backend_, needle); }
};

using Backends = ::testing::Types<SqliteBackend, SqliteBulkBackend, PostgresBackend>;
TYPED_TEST_SUITE(MessageChanges, Backends);

}  // namespace

TYPED_TEST(MessageChanges, EditsKeepTheirVersionsAndADeletionErasesEverything) {
  User a = this->user("Ann"), b = this->user("Ben");
  auto id = this->group(a, {b}).state.id;
  std::string secret = "secret-" + random_token();
  auto m = ok(this->append(id, a, secret + " v1")).entry;
  auto e1 = ok(this->change(m.id, a, MessageAction::edit, secret + " v2"));
  ASSERT_TRUE(e1.entry);
  EXPECT_EQ(e1.entry->seq, m.seq + 1);
  EXPECT_EQ(e1.entry->kind, EntryKind::edit);
  EXPECT_EQ(e1.entry->target_id, m.id);
  EXPECT_EQ(e1.message.content, secret + " v2");
  EXPECT_EQ(e1.message.seq, m.seq);
  EXPECT_GT(e1.message.edited_at_ms, 0);
  EXPECT_EQ(e1.state.last_seq, m.seq + 1);
  auto e2 = ok(this->change(m.id, a, MessageAction::edit, secret + " v3"));
  auto r = ok(this->change(m.id, b, MessageAction::add_reaction, "👍"));
  EXPECT_EQ(r.message.reactions, (std::vector<Reaction>{{"👍", {b.id}}}));
  auto history = this->versions(m.id, b);
  ASSERT_EQ(history.revisions.size(), 3u);
  EXPECT_EQ(history.revisions[0], (Revision{secret + " v1", 0}));
  EXPECT_EQ(history.revisions[1], (Revision{secret + " v2", e1.message.edited_at_ms}));
  EXPECT_EQ(history.revisions[2], (Revision{secret + " v3", e2.message.edited_at_ms}));
  EXPECT_EQ(history.message.reactions.size(), 1u);
  // The log lists the message once, as it is now; the changes are entries of their own.
  auto page = this->log(id, b);
  ASSERT_EQ(page.entries.size(), 2u);  // `created` and the message
  EXPECT_EQ(page.entries[1].content, secret + " v3");
  EXPECT_EQ(page.entries[1].reactions.size(), 1u);
  EXPECT_EQ(page.state.last_seq, m.seq + 3);
  EXPECT_EQ(this->rows_with(secret), 3) << "the message and the two versions its edits kept";

  auto d = ok(this->change(m.id, b, MessageAction::remove));
  ASSERT_TRUE(d.entry);
  EXPECT_EQ(d.entry->kind, EntryKind::deletion);
  EXPECT_EQ(d.entry->seq, m.seq + 4);
  EXPECT_EQ(d.entry->sender_id, b.id);
  EXPECT_TRUE(d.message.deleted);
  EXPECT_EQ(d.message.content, "");
  EXPECT_TRUE(d.message.reactions.empty());
  EXPECT_EQ(d.message.edited_at_ms, 0) << "a tombstone: nothing but who sent it when";
  EXPECT_EQ(this->rows_with(secret), 0) << "erased, not hidden";
  EXPECT_TRUE(this->versions(m.id, a).revisions.empty());
  auto after = this->log(id, a);
  ASSERT_EQ(after.entries.size(), 2u);
  EXPECT_TRUE(after.entries[1].deleted);
  EXPECT_EQ(after.entries[1].id, m.id);
  EXPECT_EQ(after.entries[1].seq, m.seq);
  EXPECT_EQ(after.entries[1].sender_id, a.id);
  EXPECT_EQ(after.entries[1].created_at_ms, m.created_at_ms);
}

TYPED_TEST(MessageChanges, ARefusedOrNeedlessChangeStoresNothing) {
  User a = this->user("Ann"), b = this->user("Ben"), c = this->user("Cid");
  auto id = this->group(a, {b}).state.id;
  auto m = ok(this->append(id, a, "hello")).entry;
  auto refused = this->change(m.id, b, MessageAction::edit, "x",
                              [](const MessageFacts&) -> MessageDecision { return Refusal::forbidden; });
  ASSERT_TRUE(failed(refused));
  EXPECT_EQ(failed(refused)->refusal, Refusal::forbidden);
  auto same = ok(this->change(m.id, a, MessageAction::edit, "hello",
                              [](const MessageFacts&) -> MessageDecision { return MessageEffect::unchanged; }));
  EXPECT_FALSE(same.entry);
  EXPECT_EQ(same.message.content, "hello");
  EXPECT_EQ(this->view(id, a).state.last_seq, m.seq);
  auto unknown = this->change(4'000'000'000'000'000'000, a, MessageAction::remove);
  ASSERT_TRUE(failed(unknown));
  EXPECT_EQ(failed(unknown)->refusal, Refusal::not_found);
  // The rule is shown the message and its conversation as they are.
  bool shown = false;
  ok(this->change(m.id, a, MessageAction::add_reaction, "🎉", [&](const MessageFacts& facts) -> MessageDecision {
    shown = facts.message.id == m.id && facts.message.content == "hello" && facts.conversation.id == id &&
            facts.conversation.member(b.id) != nullptr && facts.conversation.last_seq == m.seq;
    return MessageEffect::apply;
  }));
  EXPECT_TRUE(shown);
  auto outside = wait_for<Result<MessageHistory>>([&](auto done) { this->store_->message_history(m.id, c.id, done); });
  ASSERT_TRUE(failed(outside));
  EXPECT_EQ(failed(outside)->refusal, Refusal::forbidden);
}

// Emojis are listed in the order of their first use, each one's users in the order they added
// it: also when everything happens within one millisecond (the same at_ms here).
TYPED_TEST(MessageChanges, ReactionsKeepTheOrderOfFirstUseWithinOneMillisecond) {
  User a = this->user("Ann"), b = this->user("Ben");
  auto id = this->group(a, {b}).state.id;
  auto m = ok(this->append(id, a, "lunch?")).entry;
  const std::int64_t at = now_ms();
  auto react = [&](const User& who, MessageAction action, const std::string& emoji) {
    return ok(wait_for<Result<MessageChanged>>([&](auto done) {
      this->store_->change_message(MessageChange{m.id, who.id, action, emoji, at}, apply_it, done);
    }));
  };
  react(b, MessageAction::add_reaction, "👍");
  react(a, MessageAction::add_reaction, "👍");
  auto after_party = react(a, MessageAction::add_reaction, ":party_parrot:");
  ASSERT_EQ(after_party.message.reactions.size(), 2u);
  EXPECT_EQ(after_party.message.reactions[0].emoji, "👍");
  EXPECT_EQ(after_party.message.reactions[0].user_ids, (std::vector<std::string>{b.id, a.id}));
  EXPECT_EQ(after_party.message.reactions[1].emoji, ":party_parrot:");
  // Ben's 👍 gone: Ann's is still the first use of 👍, before her :party_parrot:.
  auto removed = react(b, MessageAction::remove_reaction, "👍");
  ASSERT_EQ(removed.message.reactions.size(), 2u);
  EXPECT_EQ(removed.message.reactions[0].emoji, "👍");
  EXPECT_EQ(removed.message.reactions[0].user_ids, std::vector<std::string>{a.id});
  EXPECT_EQ(removed.message.reactions[1].emoji, ":party_parrot:");
  auto shown = this->log(id, b).entries;
  auto it = std::find_if(shown.begin(), shown.end(), [&](const LogEntry& e) { return e.id == m.id; });
  ASSERT_NE(it, shown.end());
  ASSERT_EQ(it->reactions.size(), 2u);
  EXPECT_EQ(it->reactions[0].emoji, "👍");
}

TYPED_TEST(MessageChanges, ChangesAreNoActivityAndDeletionsKeepCountsExact) {
  User a = this->user("Ann"), b = this->user("Ben");
  auto older = this->group(a, {b}).state.id;
  auto first = ok(this->append(older, a, "one", 0, 1'000)).entry;
  auto second = ok(this->append(older, a, "two", 0, 2'000)).entry;
  auto newer = this->group(a, {b}).state.id;
  ok(this->append(newer, a, "newest", 0, now_ms()));
  ok(this->change(first.id, b, MessageAction::add_reaction, "👍"));
  ok(this->change(first.id, a, MessageAction::edit, "one!"));
  auto list = ok(wait_for<Result<ConversationPage>>(
      [&](auto done) { this->store_->list_conversations(ListRequest{b.id, std::nullopt, 50}, done); }));
  ASSERT_GE(list.conversations.size(), 2u);
  EXPECT_EQ(list.conversations[0].state.id, newer) << "a reaction or an edit does not bring a conversation up";
  EXPECT_EQ(list.conversations[1].state.id, older);
  EXPECT_EQ(list.conversations[1].last_activity_ms, 2'000);
  EXPECT_EQ(list.conversations[1].unread_count, 2);
  EXPECT_EQ(list.conversations[1].last_message->id, second.id);

  auto d = ok(this->change(second.id, a, MessageAction::remove));
  ASSERT_EQ(d.unread_counts.size(), d.state.members.size());
  for (std::size_t i = 0; i < d.state.members.size(); ++i) {
    EXPECT_EQ(d.unread_counts[i], d.state.members[i].user_id == b.id ? 1 : 0);
  }
  auto seen = this->view(older, b);
  EXPECT_EQ(seen.unread_count, 1);
  ASSERT_TRUE(seen.last_message);
  EXPECT_EQ(seen.last_message->id, first.id) << "the newest message left";
  EXPECT_EQ(seen.last_message->content, "one!");
  EXPECT_EQ(seen.last_message->reactions.size(), 1u);
  EXPECT_EQ(seen.state.last_seq, second.seq + 3);  // the reaction, the edit, the deletion
  ok(this->change(first.id, a, MessageAction::remove));
  auto empty = this->view(older, b);
  ASSERT_TRUE(empty.last_message);
  EXPECT_EQ(empty.last_message->kind, EntryKind::system) << "the `created` entry";
  EXPECT_EQ(empty.unread_count, 0);
  auto next = ok(this->append(older, b, "after", 0, now_ms())).entry;
  EXPECT_EQ(next.seq, second.seq + 5);  // a reaction, an edit, two deletions, then this
}

TYPED_TEST(MessageChanges, ARepliesMessageIsOneOfItsConversationsThatTheSenderMaySee) {
  User a = this->user("Ann"), b = this->user("Ben"), c = this->user("Cid");
  auto g = this->group(a, {b});
  auto id = g.state.id;
  auto other = this->group(a, {c}).state.id;
  auto question = ok(this->append(id, a, "who?")).entry;
  auto elsewhere = ok(this->append(other, a, "there")).entry;
  auto answer = ok(this->append(id, b, "me", question.id)).entry;
  EXPECT_EQ(answer.reply_to_id, question.id);
  auto page = this->log(id, a);
  EXPECT_EQ(page.entries.back().reply_to_id, question.id);
  EXPECT_EQ(page.entries[page.entries.size() - 2].reply_to_id, 0);
  auto last = this->view(id, a).state.last_seq;
  for (std::int64_t bad : {elsewhere.id, std::int64_t{4'000'000'000'000'000'000}}) {
    auto refused = this->append(id, b, "x", bad);
    ASSERT_TRUE(failed(refused));
    EXPECT_EQ(failed(refused)->refusal, Refusal::invalid_argument);
    EXPECT_EQ(failed(refused)->message, reply_not_in_conversation);
  }
  // A member added later cannot answer what it cannot see.
  auto added = ConversationChange{};
  added.actor_id = a.id;
  added.add = {{c.id, Role::member}};
  added.system_json = "{}";
  ok(wait_for<Result<Changed>>([&](auto done) {
    this->store_->change_conversation(id, [added](const ConversationState&) -> ConversationDecision { return added; }, done);
  }));
  ASSERT_TRUE(failed(this->append(id, c, "x", question.id)));
  ok(this->change(question.id, a, MessageAction::remove));
  ASSERT_TRUE(failed(this->append(id, b, "x", question.id))) << "not to a deleted message";
  EXPECT_EQ(this->view(id, a).state.last_seq, last + 2) << "refused replies take no seq";
  // By a pair with no conversation: refused, and no conversation made.
  auto direct = wait_for<Result<Appended>>([&](auto done) {
    this->store_->append(NewEntry{ConversationRef{0, c.id}, b.id, "x", now_ms(), {}, answer.id}, done);
  });
  ASSERT_TRUE(failed(direct));
  EXPECT_EQ(failed(direct)->refusal, Refusal::invalid_argument);
  auto pair = ok(wait_for<Result<LogPage>>(
      [&](auto done) { this->store_->read_log(LogRequest{ConversationRef{0, c.id}, b.id, std::nullopt, 10}, done); }));
  EXPECT_EQ(pair.state.id, 0);
}

// SQLite: a change's entry carries its conversation's activity through the bulk index and a
// restart (the tail is rebuilt from the unindexed entries at start).
TEST(SqliteMessageChanges, ActivityAndSeqsSurviveARestart) {
  for (std::size_t bulk : {std::size_t{3}, std::size_t{100'000}}) {
    TempDir dir;
    auto file = (dir.path / "parley.db").string();
    SqliteIndexOptions index{.bulk_rows = bulk, .per_conversation = 1, .max_rows = bulk, .chunk_rows = 2};
    User a{"id-a" + random_token(), "A", "", "", 0}, b{"id-b" + random_token(), "B", "", "", 0};
    std::int64_t group = 0, message = 0;
    {
      auto store = open_sqlite(file, "FULL", {}, index);
      for (const User& u : {a, b}) ok(wait_for<Result<User>>([&](auto done) { store->ensure_user(u, done); }));
      NewGroup g{"g", a.id, {b.id}, 1'000, "{}"};
      group = ok(wait_for<Result<Changed>>([&](auto done) { store->create_group(g, done); })).entry.conversation_id;
      message = ok(wait_for<Result<Appended>>([&](auto done) {
                  store->append(NewEntry{ConversationRef{group, {}}, a.id, "m", 5'000}, done);
                })).entry.id;
      for (const char* emoji : {"👍", "🎉", "😀"}) {
        ok(wait_for<Result<MessageChanged>>([&](auto done) {
          store->change_message(MessageChange{message, b.id, MessageAction::add_reaction, emoji, 9'000}, apply_it, done);
        }));
      }
      store->close();
    }
    auto store = open_sqlite(file, "FULL", {}, index);
    auto list = ok(wait_for<Result<ConversationPage>>(
        [&](auto done) { store->list_conversations(ListRequest{a.id, std::nullopt, 10}, done); }));
    ASSERT_EQ(list.conversations.size(), 1u);
    EXPECT_EQ(list.conversations[0].last_activity_ms, 5'000) << "bulk " << bulk;
    EXPECT_EQ(list.conversations[0].state.last_seq, 5);
    ASSERT_TRUE(list.conversations[0].last_message);
    EXPECT_EQ(list.conversations[0].last_message->id, message);
    EXPECT_EQ(list.conversations[0].last_message->reactions.size(), 3u);
    auto next = ok(wait_for<Result<Appended>>(
        [&](auto done) { store->append(NewEntry{ConversationRef{group, {}}, b.id, "n", 10'000}, done); }));
    EXPECT_EQ(next.entry.seq, 6);
    store->close();
  }
}
