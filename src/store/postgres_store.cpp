#include "store/postgres_store.hpp"

#include "sio/util/thread_name.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <thread>

#include "store/pg_connection.hpp"
#include "store/pg_group_commit.hpp"
#include "store/pg_link.hpp"
#include "store/postgres_conversation_reads.hpp"
#include "store/postgres_conversation_rows.hpp"
#include "store/postgres_conversation_writes.hpp"
#include "store/postgres_writes.hpp"
#include "store/work_queue.hpp"

namespace parley::store {

namespace {

using pg::Clock;
using pg::int8_type;
using pg::text_type;

constexpr std::size_t max_batch = 1024;
constexpr std::size_t max_queued = 200'000;  // beyond this, calls are refused, not buffered
constexpr std::size_t reader_count = 2;
// How long one round trip may take before its connection is given up for dead. A crashed host
// or a cut network answers nothing at all: this bounds how long a caller can wait for an answer.
constexpr auto io_timeout = std::chrono::seconds(5);
constexpr auto ping_timeout = std::chrono::seconds(2);
constexpr char unavailable[] = "database unavailable";
// How long the callers of a batch whose COMMIT's answer was lost wait, at most, for the database
// to be reachable again and say whether it committed (a restart takes a few seconds). Past it
// they are answered that the outcome is unknown. The writer meanwhile fails new writes at once,
// as while the database is down.
constexpr auto in_doubt_budget = std::chrono::seconds(5);
constexpr char commit_unknown[] =
    "database connection lost during the commit: the write may or may not be stored";

Clock::time_point io_deadline() { return Clock::now() + io_timeout; }

std::int64_t clamp_limit(std::size_t limit) { return static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)); }

// --- the readers' statements ----------------------------------------------------------------
const pg::Statement user_by_id{"user_by_id", std::string(select_user) + "WHERE id = $1", {text_type}};
const pg::Statement user_by_username{"user_by_username", std::string(select_user) + "WHERE username = $1", {text_type}};
// position(), not LIKE: the user's text is matched literally, '%' and '_' included.
const pg::Statement search{"search",
                           std::string(select_user) +
                               "WHERE position(lower($1) in lower(name)) > 0 "
                               "OR position(lower($1) in lower(COALESCE(username, ''))) > 0 "
                               "ORDER BY name, id LIMIT $2",
                           {text_type, int8_type}};
const pg::Statement ping{"ping", "SELECT 1", {}};
// The viewer itself, and whoever shares one of its conversations.
const pg::Statement presence_of_users{
    "presence_of_users",
    "SELECT u.id, COALESCE(u.last_seen_at, 0), u.appear_offline FROM users u WHERE u.id = ANY($2::text::text[]) "
    "AND (u.id = $1 OR EXISTS (SELECT 1 FROM conversation_members mine JOIN conversation_members theirs "
    "ON theirs.conversation_id = mine.conversation_id WHERE mine.user_id = $1 AND theirs.user_id = u.id))",
    {text_type, text_type}};
const pg::Statement contacts_of{
    "contacts_of",
    "SELECT DISTINCT theirs.user_id FROM conversation_members mine JOIN conversation_members theirs "
    "ON theirs.conversation_id = mine.conversation_id WHERE mine.user_id = $1 AND theirs.user_id <> $1",
    {text_type}};
const pg::Statement appearing_offline_users{"appearing_offline_users", "SELECT id FROM users WHERE appear_offline <> 0", {}};
const pg::Statement* const reader_statements[] = {&user_by_id, &user_by_username, &search, &ping, &presence_of_users,
                                                  &contacts_of, &appearing_offline_users};

void prepare_reader(pg::Connection& db) {
  auto deadline = io_deadline();
  for (const auto* s : reader_statements) db.prepare(*s, deadline);
  for (const auto* s : pg_reads::reader_statements()) db.prepare(*s, deadline);
  for (const auto* s : pg_rows::state_statements()) db.prepare(*s, deadline);
}

using ReadJob = std::function<void(pg::Link&)>;

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, WriterOptions writer)
      : url_(std::move(url)),
        writer_options_(std::move(writer)),
        writes_(max_queued),
        reads_(max_queued),
        writer_link_(url_, "writer", [](pg::Connection& db) { prepare_writer(db, io_deadline()); }, links_) {
    for (std::size_t i = 0; i < reader_count; ++i) {
      readers_.push_back(std::make_unique<pg::Link>(url_, "reader " + std::to_string(i + 1), prepare_reader, links_));
    }
    // Connected before the threads start, so that the store is ready as soon as it is open.
    writer_link_.get();
    for (auto& link : readers_) link->get();
    writer_thread_ = std::thread([this] {
      sio::util::name_this_thread("pg-writer");
      write_loop();
    });
    for (auto& link : readers_) {
      reader_threads_.emplace_back([this, link = link.get()] {
        sio::util::name_this_thread("pg-reader");
        read_loop(*link);
      });
    }
  }

  ~PostgresStore() override { close(); }

  void get_user(std::string id, std::function<void(Result<std::optional<User>>)> done) override {
    read([id = std::move(id)](pg::Connection& db) -> Result<std::optional<User>> {
      return one_user(db.exec(user_by_id, pg::Params().text(id), io_deadline()));
    }, std::move(done));
  }

  void get_user_by_username(std::string username, std::function<void(Result<std::optional<User>>)> done) override {
    read([username = std::move(username)](pg::Connection& db) -> Result<std::optional<User>> {
      return one_user(db.exec(user_by_username, pg::Params().text(username), io_deadline()));
    }, std::move(done));
  }

  void search_users(std::string text, std::size_t limit, std::function<void(Result<std::vector<User>>)> done) override {
    read([text = std::move(text), limit](pg::Connection& db) -> Result<std::vector<User>> {
      auto rows = db.exec(search, pg::Params().text(text).int64(clamp_limit(limit)), io_deadline());
      std::vector<User> users;
      users.reserve(static_cast<std::size_t>(rows.rows()));
      for (int i = 0; i < rows.rows(); ++i) users.push_back(read_user(rows, i));
      return users;
    }, std::move(done));
  }

  void read_log(LogRequest request, std::function<void(Result<LogPage>)> done) override {
    read([request = std::move(request)](pg::Connection& db) -> Result<LogPage> {
      return pg_reads::read_log(db, request, io_deadline());
    }, std::move(done));
  }

  void get_state(std::int64_t id, std::function<void(Result<std::optional<ConversationState>>)> done) override {
    read([id](pg::Connection& db) { return pg_reads::get_state(db, id, io_deadline()); }, std::move(done));
  }

  void get_conversation(std::int64_t id, std::string viewer, std::function<void(Result<ConversationView>)> done) override {
    read([id, viewer = std::move(viewer)](pg::Connection& db) {
      return pg_reads::get_conversation(db, id, viewer, io_deadline());
    }, std::move(done));
  }

  void list_conversations(ListRequest request, std::function<void(Result<ConversationPage>)> done) override {
    read([request = std::move(request)](pg::Connection& db) {
      return pg_reads::list_conversations(db, request, io_deadline());
    }, std::move(done));
  }

  void sync(SyncRequest request, std::function<void(Result<SyncPage>)> done) override {
    read([request = std::move(request)](pg::Connection& db) { return pg_reads::sync(db, request, io_deadline()); },
         std::move(done));
  }

  void append(NewEntry entry, std::function<void(Result<Appended>)> done) override {
    write(append_write(std::move(entry), conversations_, std::move(done)));
  }

  void create_group(NewGroup group, std::function<void(Result<Changed>)> done) override {
    write(create_group_write(std::move(group), std::move(done)));
  }

  void change_conversation(std::int64_t id, DecideChange decide, std::function<void(Result<Changed>)> done) override {
    write(change_conversation_write(id, std::move(decide), std::move(done)));
  }

  void change_message(MessageChange change, DecideMessageChange decide,
                      std::function<void(Result<MessageChanged>)> done) override {
    write(change_message_write(std::move(change), std::move(decide), std::move(done)));
  }

  void message_history(std::int64_t message_id, std::string viewer_id,
                       std::function<void(Result<MessageHistory>)> done) override {
    read([message_id, viewer_id = std::move(viewer_id)](pg::Connection& db) {
      return pg_reads::message_history(db, message_id, viewer_id, io_deadline());
    }, std::move(done));
  }

  void presence_of(std::string viewer_id, std::vector<std::string> user_ids,
                   std::function<void(Result<std::vector<PresenceRecord>>)> done) override {
    read([viewer_id = std::move(viewer_id), ids = pg::text_array_literal(user_ids)](pg::Connection& db)
             -> Result<std::vector<PresenceRecord>> {
      auto rows = db.exec(presence_of_users, pg::Params().text(viewer_id).text(ids), io_deadline());
      std::vector<PresenceRecord> records;
      for (int i = 0; i < rows.rows(); ++i) {
        records.push_back(PresenceRecord{rows.text(i, 0), rows.int64(i, 1), rows.int64(i, 2) != 0});
      }
      return records;
    }, std::move(done));
  }

  void contacts(std::string user_id, std::function<void(Result<std::vector<std::string>>)> done) override {
    read([user_id = std::move(user_id)](pg::Connection& db) -> Result<std::vector<std::string>> {
      return ids_of(db.exec(contacts_of, pg::Params().text(user_id), io_deadline()));
    }, std::move(done));
  }

  void appearing_offline(std::function<void(Result<std::vector<std::string>>)> done) override {
    read([](pg::Connection& db) -> Result<std::vector<std::string>> {
      return ids_of(db.exec(appearing_offline_users, pg::Params(), io_deadline()));
    }, std::move(done));
  }

  void update_presence(PresenceUpdate update, std::function<void(Result<bool>)> done) override {
    write(presence_write(std::move(update), std::move(done)));
  }

  void mark(MarkRequest request, std::function<void(Result<Marked>)> done) override {
    write(mark_write(std::move(request), std::move(done)));
  }

  void create_user(User user, std::function<void(Result<CreateUser>)> done) override {
    write(create_user_write(std::move(user), std::move(done)));
  }

  void ensure_user(User user, std::function<void(Result<User>)> done) override {
    write(ensure_user_write(std::move(user), std::move(done)));
  }

  void check_ready(std::function<void(bool)> done) override {
    auto shared_done = std::make_shared<std::function<void(bool)>>(std::move(done));
    bool queued = reads_.push([this, shared_done](pg::Link& link) {
      bool answered = false;
      if (pg::Connection* db = link.get()) {
        try {
          db->exec(ping, pg::Params(), Clock::now() + ping_timeout);
          answered = true;
        } catch (const pg::Error& e) {
          if (e.connection_lost) link.drop(e.what());
        }
      }
      // Answering reads is not enough: the chat cannot work without its writer.
      (*shared_done)(answered && writer_link_.up());
    });
    if (!queued) (*shared_done)(false);
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    writes_.stop();
    reads_.stop();
    if (writer_thread_.joinable()) writer_thread_.join();
    for (auto& thread : reader_threads_) thread.join();
    reader_threads_.clear();
  }

  std::string describe() const override { return describe_postgres(url_); }

 private:
  static std::vector<std::string> ids_of(const pg::Result& rows) {
    std::vector<std::string> ids;
    for (int i = 0; i < rows.rows(); ++i) ids.push_back(rows.text(i, 0));
    return ids;
  }

  static Result<std::optional<User>> one_user(const pg::Result& rows) {
    if (rows.rows() == 0) return std::optional<User>();
    return std::optional<User>(read_user(rows, 0));
  }

  template <class T, class Query>
  void read(Query query, std::function<void(Result<T>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<T>)>>(std::move(done));
    bool queued = reads_.push([query = std::move(query), shared_done](pg::Link& link) {
      Result<T> result = Failure{unavailable};
      if (pg::Connection* db = link.get()) {
        try {
          result = query(*db);
        } catch (const pg::Error& e) {
          if (e.connection_lost) {
            link.drop(e.what());
          } else {
            result = Failure{e.what()};
          }
        }
      }
      (*shared_done)(std::move(result));
    });
    if (!queued) (*shared_done)(Failure{"database overloaded"});
  }

  void write(std::unique_ptr<StoreWrite> job) {
    // push() takes the job only when it accepts it.
    if (!writes_.push(std::move(job))) job->complete(Failure{"database overloaded"});
  }

  void write_loop() {
    for (;;) {
      settle_in_doubt();
      auto batch = writes_.take(max_batch, wake_at(), writer_options_.gather_after(last_batch_));
      last_batch_ = batch.size();
      if (batch.empty()) {
        if (writes_.finished()) {
          if (!in_doubt_) return;
          std::this_thread::sleep_until(wake_at());  // closing: only the batch in doubt is left to settle
          continue;
        }
        writer_link_.get();  // a reconnection attempt is due
        continue;
      }
      run_in_order(std::move(batch));
    }
  }

  // Commits the batch's group-commit jobs together and each write that must run alone by
  // itself, in the order queued (callbacks keep commit order).
  void run_in_order(std::vector<std::unique_ptr<StoreWrite>> batch) {
    std::size_t start = 0;
    while (start < batch.size()) {
      // Never commit past a batch in doubt: should it turn out committed, its callers must be
      // answered first (callbacks keep commit order).
      settle_in_doubt();
      pg::Connection* db = in_doubt_ ? nullptr : writer_link_.get();
      std::size_t end = start + 1;
      if (!db) {
        end = batch.size();
      } else if (!batch[start]->alone()) {
        while (end < batch.size() && !batch[end]->alone()) ++end;
      }
      std::vector<std::unique_ptr<StoreWrite>> part(std::make_move_iterator(batch.begin() + static_cast<long>(start)),
                                                    std::make_move_iterator(batch.begin() + static_cast<long>(end)));
      start = end;
      if (!db) {
        answer(std::move(part), pg::BatchOutcome{false, unavailable, {}, {}});
      } else {
        commit(*db, std::move(part));
      }
    }
  }

  // When the writer must wake with no work: to reconnect, or to give up on a batch in doubt.
  Clock::time_point wake_at() const {
    return std::min(writer_link_.retry_at(), in_doubt_ ? in_doubt_->give_up_at : Clock::time_point::max());
  }

  void commit(pg::Connection& db, std::vector<std::unique_ptr<StoreWrite>> batch) {
    std::vector<pg::WriteJob*> jobs;
    jobs.reserve(batch.size());
    for (auto& job : batch) jobs.push_back(job.get());
    pg::BatchOutcome outcome;
    try {
      if (auto* alone = batch.size() == 1 ? batch[0]->alone() : nullptr) {
        outcome = pg::run_transaction(db, *alone, io_timeout);
      } else {
        outcome = pg::run_batch(db, jobs, io_timeout, &lock_conversations);
      }
    } catch (const pg::Error& e) {
      // Lost before COMMIT was sent: nothing of the batch was committed.
      writer_link_.drop(e.what());
      outcome = pg::BatchOutcome{false, unavailable, {}, {}};
    }
    // After a failure the database may not be the one the ids came from (a failover, a restore).
    // (A write that chose to roll back, refused by the rules, says nothing about the database.)
    if (!outcome.committed && (!outcome.error.empty() || outcome.in_doubt)) conversations_.clear();
    if (outcome.in_doubt) {
      writer_link_.drop(outcome.error);
      in_doubt_ = InDoubtBatch{std::move(batch), std::move(outcome), Clock::now() + in_doubt_budget};
      settle_in_doubt();  // reconnects at once: mostly settled right here
      return;
    }
    answer(std::move(batch), std::move(outcome));
  }

  // Asks the database, on a new connection, whether the batch in doubt committed, and answers its
  // callers accordingly; past its budget, answers that its outcome is unknown.
  void settle_in_doubt() {
    if (!in_doubt_) return;
    std::optional<pg::CommitStatus> status;
    if (pg::Connection* db = writer_link_.get()) {
      try {
        status = pg::resolve_commit(*db, *in_doubt_->outcome.in_doubt, in_doubt_->give_up_at, io_timeout);
      } catch (const pg::Error& e) {
        if (e.connection_lost) {
          writer_link_.drop(e.what());
        } else {
          status = pg::CommitStatus::unknown;  // the server cannot say (not the database that ran it?)
        }
      }
    }
    if (!status && Clock::now() >= in_doubt_->give_up_at) status = pg::CommitStatus::unknown;
    if (!status) return;
    InDoubtBatch settled = std::move(*in_doubt_);
    in_doubt_.reset();
    auto& outcome = settled.outcome;
    auto transaction = outcome.in_doubt->transaction_id;
    outcome.in_doubt.reset();
    if (*status == pg::CommitStatus::unknown) {
      spdlog::warn("PostgreSQL writer: whether transaction {} ({} writes) committed could not be learned; "
                   "its writes are answered that their outcome is unknown", transaction, settled.writes.size());
    } else {
      spdlog::info("PostgreSQL writer: transaction {} ({} writes), whose commit's answer was lost, {}", transaction,
                   settled.writes.size(), *status == pg::CommitStatus::committed ? "committed" : "did not commit");
    }
    switch (*status) {
      case pg::CommitStatus::committed:
        outcome.committed = true;
        outcome.error.clear();
        return answer(std::move(settled.writes), std::move(outcome));
      case pg::CommitStatus::aborted:
        outcome.error = unavailable;
        return answer(std::move(settled.writes), std::move(outcome));
      case pg::CommitStatus::unknown:
        return answer(std::move(settled.writes), std::move(outcome), true);
    }
  }

  // Settles the batch on the writer thread, then answers its callers (see CompletionRunner).
  // `unknown`: whether the batch committed is unknown (outcome.committed is false), and so is
  // whether its writes were stored, but for those undone alone (job_errors) before the commit.
  void answer(std::vector<std::unique_ptr<StoreWrite>> batch, pg::BatchOutcome outcome, bool unknown = false) {
    outcome.job_errors.resize(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->settle(outcome.committed && outcome.job_errors[i].empty());
    auto shared = std::make_shared<std::pair<std::vector<std::unique_ptr<StoreWrite>>, pg::BatchOutcome>>(
        std::move(batch), std::move(outcome));
    writer_options_.answer([shared, unknown] {
      auto& [jobs, result] = *shared;
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!result.job_errors[i].empty()) {
          jobs[i]->complete(Failure{result.job_errors[i]});
        } else if (result.committed) {
          jobs[i]->complete(std::nullopt);
        } else {
          jobs[i]->complete(Failure{unknown ? commit_unknown : result.error, false, unknown});
        }
      }
    });
  }

  void read_loop(pg::Link& link) {
    for (;;) {
      // One at a time, so that a slow query holds up only its own reader.
      auto jobs = reads_.take(1, link.retry_at());
      if (jobs.empty()) {
        if (reads_.finished()) return;
        link.get();  // a reconnection attempt is due
        continue;
      }
      for (auto& job : jobs) job(link);
    }
  }

  std::string url_;
  WriterOptions writer_options_;
  std::size_t last_batch_ = 0;  // writer thread only
  WorkQueue<std::unique_ptr<StoreWrite>> writes_;
  WorkQueue<ReadJob> reads_;
  pg::LinkGroup links_;  // before the links, which refer to it
  pg::Link writer_link_;
  std::vector<std::unique_ptr<pg::Link>> readers_;
  ConversationCache conversations_;  // writer thread only
  // A batch whose COMMIT's answer was lost, until the database says what became of it. At most
  // one: nothing more is committed until it is settled. Writer thread only.
  struct InDoubtBatch {
    std::vector<std::unique_ptr<StoreWrite>> writes;
    pg::BatchOutcome outcome;  // the jobs' results; in_doubt set
    Clock::time_point give_up_at;
  };
  std::optional<InDoubtBatch> in_doubt_;
  std::thread writer_thread_;
  std::vector<std::thread> reader_threads_;
  bool closed_ = false;
};

[[noreturn]] void rethrow_clearly(const std::string& url, const std::exception& e) {
  throw std::runtime_error("PostgreSQL (" + describe_postgres(url) + "): " + e.what());
}

}  // namespace

std::unique_ptr<Store> open_postgres(const std::string& url, WriterOptions writer) {
  migrate_postgres(url);
  return std::make_unique<PostgresStore>(url, std::move(writer));
}

int migrate_postgres(const std::string& url) {
  try {
    pg::Connection db(url, std::chrono::seconds(10));
    return pg::migrate(db);
  } catch (const pg::Error& e) {
    rethrow_clearly(url, e);
  }
}

std::string describe_postgres(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    PQfreemem(error);
    return "postgres://(unparsable URL)";
  }
  std::string user, host, port, dbname;
  for (auto* option = options; option->keyword; ++option) {
    if (!option->val) continue;
    std::string_view keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  PQconninfoFree(options);
  std::string text = "postgres://";
  if (!user.empty()) text += user + "@";
  text += host;
  if (!port.empty()) text += ":" + port;
  if (!dbname.empty()) text += "/" + dbname;
  return text;
}

}  // namespace parley::store
