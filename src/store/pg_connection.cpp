#include "store/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>

#include "store/migrations.hpp"

namespace parley::store::pg {

namespace {

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown error" : text;
}

// Class 08 is "connection exception"; 57P01-57P03 mean the server is shutting down or not yet
// accepting connections. Either way this connection is finished.
bool means_connection_lost(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

// Migrations may take long, and so may waiting for another server's migrations.
constexpr auto migration_timeout = std::chrono::minutes(10);
// Any constant: it only has to differ from the advisory locks other applications take.
constexpr std::int64_t migration_lock_key = 0x7061726c6579;  // "parley"

}  // namespace

// 40P01 deadlock_detected, 40001 serialization_failure.
bool means_retry_transaction(std::string_view sqlstate) { return sqlstate == "40P01" || sqlstate == "40001"; }

Params& Params::text(std::string_view value) {
  values_.emplace_back(value);
  types_.push_back(text_type);
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
  return *this;
}

Params& Params::int64(std::int64_t value) {
  std::string bytes(8, '\0');
  auto bits = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i, bits >>= 8) bytes[static_cast<std::size_t>(i)] = static_cast<char>(bits & 0xff);
  values_.push_back(std::move(bytes));
  types_.push_back(int8_type);
  lengths_.push_back(8);
  formats_.push_back(1);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value.data());
  return pointers;
}

Result::~Result() { PQclear(result_); }

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

bool Result::ok() const {
  auto status = PQresultStatus(result_);
  return result_ && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
}

bool Result::aborted() const { return result_ && PQresultStatus(result_) == PGRES_PIPELINE_ABORTED; }
bool Result::sync() const { return result_ && PQresultStatus(result_) == PGRES_PIPELINE_SYNC; }

std::string Result::error() const {
  if (const char* primary = PQresultErrorField(result_, PG_DIAG_MESSAGE_PRIMARY)) return primary;
  return trimmed(PQresultErrorMessage(result_));
}

std::string Result::sqlstate() const {
  const char* state = PQresultErrorField(result_, PG_DIAG_SQLSTATE);
  return state ? state : "";
}

int Result::rows() const { return PQntuples(result_); }
bool Result::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Result::int64(int row, int column) const {
  const char* value = PQgetvalue(result_, row, column);
  std::int64_t number = 0;
  std::from_chars(value, value + PQgetlength(result_, row, column), number);
  return number;
}

bool Result::boolean(int row, int column) const { return PQgetvalue(result_, row, column)[0] == 't'; }

Connection::Connection(const std::string& url, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  // Our default name comes before the URL so that it may override it; the encoding comes after,
  // as the store sends and expects UTF-8. (libpq's connect_timeout does not apply to a
  // non-blocking connect: the deadline below bounds the whole attempt, all hosts included.)
  const char* keys[] = {"application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {"parley", url.c_str(), "UTF8", nullptr};
  conn_ = PQconnectStartParams(keys, values, 1);
  if (!conn_) throw Error("cannot connect: out of memory", true);
  auto fail = [&](std::string_view why) {
    std::string message = "cannot connect: " + std::string(why);
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error(message, true);
  };
  if (PQstatus(conn_) == CONNECTION_BAD) fail(trimmed(PQerrorMessage(conn_)));
  // Notices ("relation already exists, skipping") are for people typing SQL; libpq would print
  // them on stderr. Errors still come back with their results.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) fail(trimmed(PQerrorMessage(conn_)));
    if (!wait_socket(state == PGRES_POLLING_READING, state == PGRES_POLLING_WRITING, deadline)) fail("timed out");
    state = PQconnectPoll(conn_);
  }
  // Non-blocking, so that sending a long pipeline never blocks and every wait is ours to bound.
  if (PQsetnonblocking(conn_, 1) != 0) fail(trimmed(PQerrorMessage(conn_)));
  backend_pid_ = PQbackendPID(conn_);
}

Connection::~Connection() { PQfinish(conn_); }

void Connection::lost(std::string_view what) {
  broken_ = true;
  throw Error(std::string(what), true);
}

bool Connection::alive() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) return false;
  // Nothing is due from the server while idle: anything readable is a goodbye (a FATAL error,
  // then end of file) or a notice. A few reads see the end of the file behind the goodbye.
  for (int i = 0; i < 4; ++i) {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) break;
    if (!PQconsumeInput(conn_) || PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      return false;
    }
  }
  return true;
}

bool Connection::wait_socket(bool read, bool write, Clock::time_point deadline) {
  int socket = PQsocket(conn_);
  if (socket < 0) return true;  // libpq reports the error on the next call
  pollfd fd{socket, static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0};
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    int rc = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (rc > 0) return true;  // also on an error or hang-up: libpq reads what happened
    if (rc < 0 && errno != EINTR) return true;
  }
}

void Connection::wait_for_result(Clock::time_point deadline) {
  for (;;) {
    int unsent = PQflush(conn_);
    if (unsent < 0) lost(trimmed(PQerrorMessage(conn_)));
    if (unsent == 0 && !PQisBusy(conn_)) return;
    // Read while waiting to write too: the server may be blocked sending us results.
    if (!wait_socket(true, unsent == 1, deadline)) lost("the database did not answer in time");
    if (!PQconsumeInput(conn_)) lost(trimmed(PQerrorMessage(conn_)));
  }
}

void Connection::throw_if_lost(const Result& failed) {
  if (PQstatus(conn_) == CONNECTION_BAD || means_connection_lost(failed.sqlstate())) {
    broken_ = true;
    throw Error(failed.error(), true);
  }
}

Result Connection::finish(Clock::time_point deadline) {
  Result last;
  std::string failure;
  std::string failure_state;
  for (;;) {
    wait_for_result(deadline);
    Result result(PQgetResult(conn_));
    if (!result) break;
    if (!result.ok() && failure.empty()) {
      throw_if_lost(result);
      failure = result.error();
      failure_state = result.sqlstate();
    }
    last = std::move(result);
  }
  if (!failure.empty()) throw Error(failure, false, failure_state);
  return last;
}

void Connection::prepare(const Statement& statement, Clock::time_point deadline) {
  if (!PQsendPrepare(conn_, statement.name.c_str(), statement.sql.c_str(), static_cast<int>(statement.types.size()),
                     statement.types.data())) {
    lost(trimmed(PQerrorMessage(conn_)));
  }
  finish(deadline);
}

Result Connection::exec(const std::string& sql, Clock::time_point deadline) {
  if (!PQsendQuery(conn_, sql.c_str())) lost(trimmed(PQerrorMessage(conn_)));
  return finish(deadline);
}

Result Connection::exec(const std::string& sql, const Params& params, Clock::time_point deadline) {
  auto values = params.pointers();
  if (!PQsendQueryParams(conn_, sql.c_str(), params.count(), params.types(), values.data(), params.lengths(),
                         params.formats(), 0)) {
    lost(trimmed(PQerrorMessage(conn_)));
  }
  return finish(deadline);
}

Result Connection::exec(const Statement& statement, const Params& params, Clock::time_point deadline) {
  send(statement, params);
  return finish(deadline);
}

void Connection::enter_pipeline() {
  if (!PQenterPipelineMode(conn_)) lost(trimmed(PQerrorMessage(conn_)));
}

void Connection::exit_pipeline() {
  if (!PQexitPipelineMode(conn_)) lost(trimmed(PQerrorMessage(conn_)));
}

void Connection::send(const Statement& statement, const Params& params) {
  auto values = params.pointers();
  if (!PQsendQueryPrepared(conn_, statement.name.c_str(), params.count(), values.data(), params.lengths(), params.formats(),
                           0)) {
    lost(trimmed(PQerrorMessage(conn_)));
  }
}

void Connection::send(const Statement& statement) {
  if (!PQsendQueryPrepared(conn_, statement.name.c_str(), 0, nullptr, nullptr, nullptr, 0)) {
    lost(trimmed(PQerrorMessage(conn_)));
  }
}

void Connection::sync() {
  if (!PQpipelineSync(conn_)) lost(trimmed(PQerrorMessage(conn_)));
}

Result Connection::next_result(Clock::time_point deadline) {
  wait_for_result(deadline);
  return Result(PQgetResult(conn_));
}

std::string int8_array_literal(const std::vector<std::int64_t>& values) {
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(values[i]);
  }
  return text + "}";
}

std::string text_array_literal(const std::vector<std::string>& values) {
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) text += ',';
    text += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    text += '"';
  }
  return text + "}";
}

int migrate(Connection& db) {
  auto deadline = [] { return Clock::now() + migration_timeout; };
  int applied = 0;
  for (;;) {
    db.exec("BEGIN", deadline());
    try {
      db.exec("SELECT pg_advisory_xact_lock($1)", Params().int64(migration_lock_key), deadline());
      db.exec("CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER NOT NULL)", deadline());
      auto current = db.exec("SELECT COALESCE(MAX(version), 0) FROM parley_schema", Params(), deadline()).int64(0, 0);
      if (current > latest_schema_version()) {
        throw Error("the database has schema version " + std::to_string(current) + ", newer than this parley knows (" +
                        std::to_string(latest_schema_version()) + "): use a newer parley",
                    false);
      }
      auto all = migrations();
      auto pending = std::find_if(all.begin(), all.end(), [&](const Migration& m) { return m.version > current; });
      if (pending == all.end()) {
        db.exec("COMMIT", deadline());
        return applied;
      }
      db.exec(pending->postgres, deadline());
      db.exec("INSERT INTO parley_schema (version) VALUES ($1)", Params().int64(pending->version), deadline());
      db.exec("COMMIT", deadline());
      ++applied;
    } catch (...) {
      try {
        db.exec("ROLLBACK", Clock::now() + std::chrono::seconds(5));
      } catch (const Error&) {
      }
      throw;
    }
  }
}

}  // namespace parley::store::pg
