// A thin RAII layer over the SQLite C API: a connection, prepared statements with bound
// parameters (never SQL built from values), and schema migration.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store::sqlite {

struct Error : std::runtime_error {
  Error(std::string what, int code) : std::runtime_error(std::move(what)), code(code) {}
  int code;
  bool constraint() const;  // a UNIQUE/PRIMARY KEY/... violation
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  // Steps once: true while a row is available.
  bool step();
  // Resets for the next use and clears the bindings.
  void reset();
  // Runs a statement that returns no rows, then resets it.
  void run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens (creating when missing) the file with WAL and the given `synchronous` level.
  Connection(const std::string& path, std::string_view synchronous);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() { return db_; }
  void exec(std::string_view sql);  // no parameters: fixed SQL only
  std::int64_t last_insert_id() const;
  int changes() const;  // rows the last statement changed

 private:
  sqlite3* db_ = nullptr;
};

// Applies the migrations this binary knows; throws when the database is newer. Returns the
// number applied.
int migrate(Connection& db);

}  // namespace parley::store::sqlite
