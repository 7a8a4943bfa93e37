// A thin RAII layer over libpq for the PostgreSQL store: a non-blocking connection whose every
// wait has a deadline (a server that vanishes costs seconds, never a hang), prepared statements
// with binary parameters (never SQL built from values), and pipeline mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace parley::store::pg {

using Clock = std::chrono::steady_clock;

struct Error : std::runtime_error {
  Error(std::string what, bool connection_lost, std::string sqlstate = {})
      : std::runtime_error(std::move(what)), connection_lost(connection_lost), sqlstate(std::move(sqlstate)) {}
  // The server is gone or stopped answering: the connection must be replaced. Otherwise the
  // server refused one statement and the connection is still usable.
  bool connection_lost;
  std::string sqlstate;  // the refused statement's, when the server gave one
};

// A refusal that says nothing about the statements themselves: the transaction lost a race
// with another one (chosen as a deadlock's victim, or a serialization failure) and, run again
// from the start, is expected to go through.
bool means_retry_transaction(std::string_view sqlstate);

// Parameter and column types the store uses (PostgreSQL type OIDs).
constexpr unsigned text_type = 25;
constexpr unsigned int8_type = 20;

// A named statement, prepared on every connection that runs it.
struct Statement {
  std::string name;
  std::string sql;
  std::vector<unsigned> types;  // of $1, $2, ...
};

// Parameters in binary format: text travels as its bytes (so embedded NULs are rejected by the
// server instead of silently truncating), int8 as 8 big-endian bytes.
class Params {
 public:
  Params& text(std::string_view value);
  Params& int64(std::int64_t value);

  int count() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid until it is changed.
  std::vector<const char*> pointers() const;
  const unsigned* types() const { return types_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<unsigned> types_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One statement's result (owns the PGresult). Column values are read in text format.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  explicit operator bool() const { return result_ != nullptr; }
  bool ok() const;       // the statement ran (with or without rows)
  bool aborted() const;  // skipped because an earlier statement of the pipeline failed
  bool sync() const;     // the end of a pipeline segment
  std::string error() const;     // the server's primary message
  std::string sqlstate() const;  // e.g. "23505"

  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

class Connection {
 public:
  // Connects within `timeout`; throws Error (connection_lost) when the server cannot be reached.
  // `url` is a libpq connection string or a postgres:// URI.
  Connection(const std::string& url, std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Whether the connection is still usable. An idle connection whose server has closed it
  // (a restart, an administrator's kill) is found out here, before anything is sent on it.
  bool alive();
  // The server process serving this connection (still known after the connection is lost).
  int backend_pid() const { return backend_pid_; }

  void prepare(const Statement& statement, Clock::time_point deadline);
  // Runs fixed SQL (possibly several statements, no parameters) and returns the last result.
  // Throws Error when a statement fails.
  Result exec(const std::string& sql, Clock::time_point deadline);
  // Runs one statement with parameters (unnamed: for statements run once).
  Result exec(const std::string& sql, const Params& params, Clock::time_point deadline);
  // Runs a prepared statement; throws Error when it fails.
  Result exec(const Statement& statement, const Params& params, Clock::time_point deadline);
  // Throws Error (connection_lost) when `failed` says the server is gone rather than that it
  // refused one statement.
  void throw_if_lost(const Result& failed);

  // Pipeline mode: queue statements, mark a sync point, then read the results in order. Each
  // statement gives one result then an empty Result; a sync point gives one `sync()` result.
  void enter_pipeline();
  void exit_pipeline();
  void send(const Statement& statement, const Params& params);
  void send(const Statement& statement);
  void sync();
  Result next_result(Clock::time_point deadline);

 private:
  [[noreturn]] void lost(std::string_view what);
  // Waits until libpq can hand over a result without blocking, sending queued output meanwhile.
  void wait_for_result(Clock::time_point deadline);
  // Waits for the socket; returns false when the deadline passed.
  bool wait_socket(bool read, bool write, Clock::time_point deadline);
  // Reads the results of the statement just sent; throws Error for the first failed one.
  Result finish(Clock::time_point deadline);

  pg_conn* conn_ = nullptr;
  bool broken_ = false;  // timed out or lost: never used again
  int backend_pid_ = 0;  // libpq forgets it once the connection is lost
};

// Array literals, for a text parameter cast in SQL ($1::text::int8[], $1::text::text[]): the
// elements quoted, so that any text (commas, quotes, braces) travels as it is.
std::string int8_array_literal(const std::vector<std::int64_t>& values);
std::string text_array_literal(const std::vector<std::string>& values);

// Applies the migrations this binary knows, one transaction each, under an advisory lock so that
// servers starting together take turns. Throws Error when the database is newer than this
// binary. Returns the number applied.
int migrate(Connection& db);

}  // namespace parley::store::pg
