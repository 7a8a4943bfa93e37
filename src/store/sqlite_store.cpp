#include "store/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "store/sqlite.hpp"
#include "store/sqlite_conversation_writer.hpp"
#include "store/sqlite_log_reader.hpp"
#include "store/sqlite_message_index.hpp"
#include "store/work_queue.hpp"
#include "sio/json.hpp"
#include "sio/util/thread_name.hpp"

namespace parley::store {

namespace {

constexpr std::size_t max_batch = 1024;
constexpr std::size_t max_queued = 200'000;  // beyond this, writes are refused, not buffered

User read_user(const sqlite::Statement& s) {
  return User{s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4)};
}

constexpr const char* select_user = "SELECT id, name, COALESCE(username, ''), COALESCE(password_hash, ''), created_at FROM users ";

// ["a","b"]: ids for json_each.
std::string json_array(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const auto& id : ids) {
    if (out.size() > 1) out += ',';
    sio::json::append_string(out, id);
  }
  return out + "]";
}

struct WriteJob {
  // Runs inside the batch's transaction; throws sqlite::Error to undo just this job.
  std::function<void(sqlite::Connection&)> execute;
  // Runs after the transaction: `committed` false means nothing of the job was stored.
  std::function<void(bool committed, const std::string& error)> complete;
};

struct Writer {
  Writer(const std::string& path, const std::string& synchronous, const RecentMessages& recent,
         std::size_t cached_conversations)
      : db(path, synchronous),
        conversations(db, recent, cached_conversations),
        insert_user(db.handle(),
                    "INSERT INTO users (id, name, username, password_hash, created_at) VALUES (?, ?, ?, ?, ?)"),
        insert_user_if_missing(db.handle(), "INSERT OR IGNORE INTO users (id, name, created_at) VALUES (?, ?, ?)"),
        find_user(db.handle(), std::string(select_user) + "WHERE id = ?"),
        update_presence(db.handle(),
                        "UPDATE users SET last_seen_at = COALESCE(?2, last_seen_at), "
                        "appear_offline = COALESCE(?3, appear_offline) WHERE id = ?1"),
        begin(db.handle(), "BEGIN IMMEDIATE"),
        commit(db.handle(), "COMMIT"),
        rollback(db.handle(), "ROLLBACK"),
        savepoint(db.handle(), "SAVEPOINT job"),
        release(db.handle(), "RELEASE job"),
        rollback_to(db.handle(), "ROLLBACK TO job") {}

  sqlite::Connection db;
  ConversationWriter conversations;
  sqlite::Statement insert_user, insert_user_if_missing, find_user;
  // Once per user going offline: a reconnect storm's offline half is thousands in a second.
  sqlite::Statement update_presence;
  // Transaction control, prepared once: it runs per batch and, on the slow path, per job.
  sqlite::Statement begin, commit, rollback, savepoint, release, rollback_to;
};

struct Reader {
  Reader(const std::string& path, const std::string& synchronous)
      : db(path, synchronous),
        user_by_id(db.handle(), std::string(select_user) + "WHERE id = ?"),
        user_by_username(db.handle(), std::string(select_user) + "WHERE username = ?"),
        search(db.handle(), std::string(select_user) +
                                "WHERE instr(lower(name), lower(?1)) > 0 OR instr(lower(COALESCE(username, '')), lower(?1)) > 0 "
                                "ORDER BY name, id LIMIT ?2"),
        log(db),
        ping(db.handle(), "SELECT 1"),
        // The viewer itself, and whoever shares one of its conversations.
        presence(db.handle(),
                 "SELECT u.id, COALESCE(u.last_seen_at, 0), u.appear_offline FROM users u "
                 "WHERE u.id IN (SELECT value FROM json_each(?2)) AND (u.id = ?1 OR EXISTS ("
                 "SELECT 1 FROM conversation_members mine JOIN conversation_members theirs "
                 "ON theirs.conversation_id = mine.conversation_id WHERE mine.user_id = ?1 AND theirs.user_id = u.id))"),
        contacts(db.handle(),
                 "SELECT DISTINCT theirs.user_id FROM conversation_members mine JOIN conversation_members theirs "
                 "ON theirs.conversation_id = mine.conversation_id WHERE mine.user_id = ?1 AND theirs.user_id <> ?1"),
        appearing_offline(db.handle(), "SELECT id FROM users WHERE appear_offline <> 0") {}

  sqlite::Connection db;
  sqlite::Statement user_by_id, user_by_username, search;
  LogReader log;
  sqlite::Statement ping, presence, contacts, appearing_offline;
};

using ReadJob = std::function<void(Reader&)>;

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::string synchronous, WriterOptions writer, SqliteIndexOptions index)
      : path_(std::move(path)), writer_options_(std::move(writer)) {
    {
      sqlite::Connection db(path_, synchronous);
      sqlite::migrate(db);
    }
    writer_state_ = std::make_unique<Writer>(path_, synchronous, recent_, index.cached_conversations);
    index_writer_ = std::make_unique<IndexWriter>(writer_state_->db, recent_, index);
    reader_state_ = std::make_unique<Reader>(path_, synchronous);
    writer_thread_ = std::thread([this] {
      sio::util::name_this_thread("sqlite-writer");
      write_loop();
    });
    reader_thread_ = std::thread([this] {
      sio::util::name_this_thread("sqlite-reader");
      read_loop();
    });
  }

  ~SqliteStore() override { close(); }

  void get_user(std::string id, std::function<void(Result<std::optional<User>>)> done) override {
    read([id = std::move(id)](Reader& r) -> Result<std::optional<User>> {
      return one_user(r.user_by_id.bind(1, id));
    }, std::move(done));
  }

  void get_user_by_username(std::string username, std::function<void(Result<std::optional<User>>)> done) override {
    read([username = std::move(username)](Reader& r) -> Result<std::optional<User>> {
      return one_user(r.user_by_username.bind(1, username));
    }, std::move(done));
  }

  void search_users(std::string text, std::size_t limit, std::function<void(Result<std::vector<User>>)> done) override {
    read([text = std::move(text), limit](Reader& r) -> Result<std::vector<User>> {
      std::vector<User> users;
      r.search.bind(1, text).bind(2, static_cast<std::int64_t>(limit));
      while (r.search.step()) users.push_back(read_user(r.search));
      r.search.reset();
      return users;
    }, std::move(done));
  }

  void create_user(User user, std::function<void(Result<CreateUser>)> done) override {
    auto outcome = std::make_shared<CreateUser>(CreateUser::created);
    write(
        [this, user = std::move(user), outcome](sqlite::Connection&) {
          auto& w = *writer_state_;
          w.find_user.bind(1, user.id);
          bool exists = w.find_user.step();
          w.find_user.reset();
          if (exists) {
            *outcome = CreateUser::id_taken;
            return;
          }
          try {
            w.insert_user.bind(1, user.id).bind(2, user.name).bind(3, user.username).bind(4, user.password_hash)
                .bind(5, user.created_at_ms).run();
          } catch (const sqlite::Error& e) {
            if (!e.constraint()) throw;
            *outcome = CreateUser::username_taken;
          }
        },
        [outcome, done = std::move(done)](bool committed, const std::string& error) {
          if (!committed) return done(Failure{error});
          done(*outcome);
        });
  }

  void ensure_user(User user, std::function<void(Result<User>)> done) override {
    auto stored = std::make_shared<User>();
    write(
        [this, user = std::move(user), stored](sqlite::Connection&) {
          auto& w = *writer_state_;
          w.insert_user_if_missing.bind(1, user.id).bind(2, user.name).bind(3, user.created_at_ms).run();
          w.find_user.bind(1, user.id);
          if (w.find_user.step()) *stored = read_user(w.find_user);
          w.find_user.reset();
        },
        [stored, done = std::move(done)](bool committed, const std::string& error) {
          if (!committed) return done(Failure{error});
          done(*stored);
        });
  }

  void append(NewEntry entry, std::function<void(Result<Appended>)> done) override {
    write_job<Appended>([this, entry = std::move(entry)] { return writer_state_->conversations.append(entry); },
                        std::move(done));
  }

  void create_group(NewGroup group, std::function<void(Result<Changed>)> done) override {
    write_job<Changed>([this, group = std::move(group)] { return writer_state_->conversations.create_group(group); },
                       std::move(done));
  }

  void change_conversation(std::int64_t conversation_id, DecideChange decide,
                           std::function<void(Result<Changed>)> done) override {
    write_job<Changed>(
        [this, conversation_id, decide = std::move(decide)] {
          auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
          return writer_state_->conversations.change(conversation_id, decide, now);
        },
        std::move(done));
  }

  void mark(MarkRequest request, std::function<void(Result<Marked>)> done) override {
    write_job<Marked>([this, request = std::move(request)] { return writer_state_->conversations.mark(request); },
                      std::move(done));
  }

  void change_message(MessageChange change, DecideMessageChange decide,
                      std::function<void(Result<MessageChanged>)> done) override {
    write_job<MessageChanged>([this, change = std::move(change), decide = std::move(decide)] {
      return writer_state_->conversations.change_message(change, decide);
    }, std::move(done));
  }

  void message_history(std::int64_t message_id, std::string viewer_id,
                       std::function<void(Result<MessageHistory>)> done) override {
    read([this, message_id, viewer_id = std::move(viewer_id)](Reader& r) {
      return r.log.message_history(recent_, message_id, viewer_id);
    }, std::move(done));
  }

  void presence_of(std::string viewer_id, std::vector<std::string> user_ids,
                   std::function<void(Result<std::vector<PresenceRecord>>)> done) override {
    read([viewer_id = std::move(viewer_id), ids = json_array(user_ids)](Reader& r) -> Result<std::vector<PresenceRecord>> {
      std::vector<PresenceRecord> records;
      r.presence.bind(1, viewer_id).bind(2, ids);
      while (r.presence.step()) records.push_back(PresenceRecord{r.presence.text(0), r.presence.int64(1), r.presence.int64(2) != 0});
      r.presence.reset();
      return records;
    }, std::move(done));
  }

  void contacts(std::string user_id, std::function<void(Result<std::vector<std::string>>)> done) override {
    read([user_id = std::move(user_id)](Reader& r) -> Result<std::vector<std::string>> {
      std::vector<std::string> ids;
      r.contacts.bind(1, user_id);
      while (r.contacts.step()) ids.push_back(r.contacts.text(0));
      r.contacts.reset();
      return ids;
    }, std::move(done));
  }

  void appearing_offline(std::function<void(Result<std::vector<std::string>>)> done) override {
    read([](Reader& r) -> Result<std::vector<std::string>> {
      std::vector<std::string> ids;
      while (r.appearing_offline.step()) ids.push_back(r.appearing_offline.text(0));
      r.appearing_offline.reset();
      return ids;
    }, std::move(done));
  }

  void update_presence(PresenceUpdate update, std::function<void(Result<bool>)> done) override {
    auto found = std::make_shared<bool>(false);
    write(
        [this, update = std::move(update), found](sqlite::Connection& db) {
          auto& set = writer_state_->update_presence;
          set.bind(1, update.user_id);
          if (update.last_seen_at_ms) {
            set.bind(2, *update.last_seen_at_ms);
          } else {
            set.bind_null(2);
          }
          if (update.appear_offline) {
            set.bind(3, *update.appear_offline ? 1 : 0);
          } else {
            set.bind_null(3);
          }
          set.run();
          *found = db.changes() > 0;
        },
        [found, done = std::move(done)](bool committed, const std::string& error) {
          if (!committed) return done(Failure{error});
          done(*found);
        });
  }

  void read_log(LogRequest request, std::function<void(Result<LogPage>)> done) override {
    read([this, request = std::move(request)](Reader& r) { return r.log.read_log(recent_, request); },
         std::move(done));
  }

  void get_conversation(std::int64_t conversation_id, std::string viewer_id,
                        std::function<void(Result<ConversationView>)> done) override {
    read([this, conversation_id, viewer_id = std::move(viewer_id)](Reader& r) {
      return r.log.get_conversation(recent_, conversation_id, viewer_id);
    }, std::move(done));
  }

  void list_conversations(ListRequest request, std::function<void(Result<ConversationPage>)> done) override {
    read([this, request = std::move(request)](Reader& r) {
      return r.log.list_conversations(recent_, request);
    }, std::move(done));
  }

  void sync(SyncRequest request, std::function<void(Result<SyncPage>)> done) override {
    read([this, request = std::move(request)](Reader& r) { return r.log.sync(recent_, request); }, std::move(done));
  }

  void get_state(std::int64_t conversation_id,
                 std::function<void(Result<std::optional<ConversationState>>)> done) override {
    read([this, conversation_id](Reader& r) { return r.log.get_state(recent_, conversation_id); },
         std::move(done));
  }

  void check_ready(std::function<void(bool)> done) override {
    auto shared_done = std::make_shared<std::function<void(bool)>>(std::move(done));
    bool queued = reader_.push([shared_done](Reader& r) {
      bool ok = false;
      try {
        ok = r.ping.step();
        r.ping.reset();
      } catch (const sqlite::Error&) {
      }
      (*shared_done)(ok);
    });
    if (!queued) (*shared_done)(false);
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    writer_.stop();
    reader_.stop();
    if (writer_thread_.joinable()) writer_thread_.join();
    if (reader_thread_.joinable()) reader_thread_.join();
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  static Result<std::optional<User>> one_user(sqlite::Statement& s) {
    std::optional<User> user;
    if (s.step()) user = read_user(s);
    s.reset();
    return user;
  }

  template <class T, class Query>
  void read(Query query, std::function<void(Result<T>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<T>)>>(std::move(done));
    bool queued = reader_.push([query = std::move(query), shared_done](Reader& r) {
      Result<T> result = Failure{"database error"};
      try {
        result = query(r);
      } catch (const sqlite::Error& e) {
        result = Failure{e.what()};
      }
      (*shared_done)(std::move(result));
    });
    if (!queued) (*shared_done)(Failure{"database overloaded"});
  }

  // A write whose answer the job computes inside the batch's transaction (a refusal writes
  // nothing); the caller hears it once the batch has committed.
  template <class T, class Job>
  void write_job(Job job, std::function<void(Result<T>)> done) {
    // Set by each run of the job (a batch may be run twice).
    auto outcome = std::make_shared<Result<T>>(Failure{"not run"});
    write([job = std::move(job), outcome](sqlite::Connection&) { *outcome = job(); },
          [outcome, done = std::move(done)](bool committed, const std::string& error) {
            if (!committed) return done(Failure{error});
            done(std::move(*outcome));
          });
  }

  void write(std::function<void(sqlite::Connection&)> execute, std::function<void(bool, const std::string&)> complete) {
    auto shared = std::make_shared<WriteJob>(WriteJob{std::move(execute), std::move(complete)});
    if (!writer_.push(std::shared_ptr<WriteJob>(shared))) shared->complete(false, "database overloaded");
  }

  void write_loop() {
    for (;;) {
      auto batch = writer_.take(max_batch, WriteQueue::Clock::time_point::max(), writer_options_.gather_after(last_batch_));
      if (batch.empty()) return;
      last_batch_ = batch.size();
      std::vector<std::string> errors(batch.size());
      std::string batch_error;
      // Jobs almost never fail: run the batch plainly first, and only when one does, undo it
      // and run it again with a savepoint per job so that the failing job is undone alone.
      bool committed = commit_batch(batch, errors, batch_error, false) ||
                       (batch_error.empty() && commit_batch(batch, errors, batch_error, true));
      // Before the callers hear of the commit, so that a history read they then make finds it.
      if (committed) recent_.publish(writer_state_->conversations.batch_entries());
      writer_options_.answer([batch = std::move(batch), errors = std::move(errors), batch_error, committed] {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          bool ok = committed && errors[i].empty();
          batch[i]->complete(ok, ok ? std::string() : (committed ? errors[i] : batch_error));
        }
      });
      index_writer_->index_some();
    }
  }

  // One transaction for the batch. Without savepoints a failing job aborts the attempt
  // (returns false with `batch_error` empty: try again with them); with savepoints it is
  // recorded in `errors` and the others commit. A failing BEGIN/COMMIT sets `batch_error`.
  bool commit_batch(const std::vector<std::shared_ptr<WriteJob>>& batch, std::vector<std::string>& errors,
                    std::string& batch_error, bool savepoints) {
    auto& w = *writer_state_;
    bool job_failed = false;
    w.conversations.begin_batch();
    try {
      w.begin.run();
      for (std::size_t i = 0; i < batch.size() && !job_failed; ++i) {
        if (savepoints) w.savepoint.run();
        try {
          batch[i]->execute(w.db);
          if (savepoints) w.release.run();
        } catch (const sqlite::Error& e) {
          if (!savepoints) {
            job_failed = true;
            break;
          }
          errors[i] = e.what();
          w.rollback_to.run();
          w.release.run();
        }
      }
      if (!job_failed) {
        w.commit.run();
        w.conversations.committed();
        return true;
      }
    } catch (const sqlite::Error& e) {
      batch_error = e.what();
    }
    try {
      w.rollback.run();
    } catch (const sqlite::Error&) {
    }
    w.conversations.rolled_back();
    return false;
  }

  void read_loop() {
    for (;;) {
      auto batch = reader_.take(64);
      if (batch.empty()) return;
      for (auto& job : batch) job(*reader_state_);
    }
  }

  std::string path_;
  RecentMessages recent_;  // before the states and threads that use it
  std::unique_ptr<Writer> writer_state_;
  std::unique_ptr<IndexWriter> index_writer_;  // writer thread only
  std::unique_ptr<Reader> reader_state_;
  using WriteQueue = WorkQueue<std::shared_ptr<WriteJob>>;
  WriteQueue writer_{max_queued};
  WorkQueue<ReadJob> reader_{max_queued};
  std::thread writer_thread_;
  WriterOptions writer_options_;
  std::size_t last_batch_ = 0;  // writer thread only
  std::thread reader_thread_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path, const std::string& synchronous,
                                   WriterOptions writer, SqliteIndexOptions index) {
  try {
    return std::make_unique<SqliteStore>(path, synchronous, std::move(writer), index);
  } catch (const sqlite::Error& e) {
    throw std::runtime_error(std::string("SQLite: ") + e.what());
  }
}

int migrate_sqlite(const std::string& path) {
  try {
    sqlite::Connection db(path, "FULL");
    return sqlite::migrate(db);
  } catch (const sqlite::Error& e) {
    throw std::runtime_error(std::string("SQLite: ") + e.what());
  }
}

}  // namespace parley::store
