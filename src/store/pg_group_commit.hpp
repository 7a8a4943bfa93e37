// Group commit on a pipelined PostgreSQL connection: many writes in one transaction, sent in one
// go and committed with one flush of the log. When a write fails (say, on a constraint), the
// batch runs again with each write inside its own savepoint, so that the failing one is undone
// alone while the others still commit. A COMMIT whose answer is lost with its connection is "in
// doubt"; resolve_commit() finds out on a new connection what became of it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/pg_connection.hpp"

namespace parley::store::pg {

// One write of a batch: statements that stand or fall together.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Queues the job's statements (Connection::send) and returns how many. The statements cannot
  // see each other's results on the client: whatever links them happens in SQL. Called again
  // when the batch is resent after another job failed.
  virtual int send(Connection& db) = 0;
  // The result of statement `index` (in the order sent). A resend delivers them again.
  virtual void receive(int index, const Result& result) = 0;
  // A row (of the batch's lock statement) the job will update, or 0: the batch locks all of
  // them, in key order, before any job runs. Later statements then see every transaction that
  // held one of those rows committed (each statement of READ COMMITTED takes a new snapshot),
  // and batches of several servers never deadlock over them.
  virtual std::int64_t lock_row() const { return 0; }
};

// A write that must read before it knows what to write (a rule decides on the current state):
// it runs alone in a transaction of its own, through run_transaction.
class TransactionJob {
 public:
  virtual ~TransactionJob() = default;
  // Runs the job's statements (Connection::exec) inside the open transaction. Returns whether to
  // commit (false: roll back; the job has its answer). Throws Error when a statement fails.
  // Called again, in a new transaction, when the last one lost a race (a deadlock's victim).
  virtual bool run(Connection& db, Clock::time_point deadline) = 0;
};

// A transaction whose COMMIT was sent but whose answer never came: the connection was lost
// (or timed out) in between, and the server may or may not have committed it.
struct InDoubtCommit {
  std::int64_t transaction_id = 0;  // pg_current_xact_id() of the batch's transaction
  int backend_pid = 0;              // the server process that ran it
};

struct BatchOutcome {
  bool committed = false;
  std::string error;                    // when nothing was committed (or it is in doubt): why
  std::vector<std::string> job_errors;  // per job: why it alone was rolled back ("" if stored)
  // Set when the COMMIT is in doubt (committed is then false). The jobs have received all their
  // results: should the transaction turn out committed, they stand as they are.
  std::optional<InDoubtCommit> in_doubt;
};

// The fixed statements run_batch sends: prepare them on each connection it is given.
std::span<const Statement> batch_statements();

// Runs the jobs in one transaction: BEGIN, the jobs' statements, then COMMIT, pipelined; after a
// job's failure, again with SAVEPOINT + statements + RELEASE per job. Each round trip may take up
// to `timeout`. A lost connection (or a round trip past `timeout`) before COMMIT was sent throws
// Error (connection_lost): nothing was committed. Lost after it, the outcome has `in_doubt` set;
// either way the connection is finished and must be replaced.
// A transaction that loses a race (deadlock_detected, serialization_failure) is rolled back and
// run again from the start, up to 4 times in all; past them, the batch fails as a whole.
// `lock_rows`, when given, takes the jobs' lock_row() keys as an int8 array literal ($1) and
// locks those rows (SELECT ... ORDER BY key FOR UPDATE).
BatchOutcome run_batch(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout,
                       const Statement* lock_rows = nullptr);

// Runs one TransactionJob: BEGIN, its statements, COMMIT, with the same outcomes as run_batch
// (job_errors[0]: the statement that failed; nothing committed, and no error, when it chose to
// roll back).
BatchOutcome run_transaction(Connection& db, TransactionJob& job, Clock::duration timeout);

enum class CommitStatus { committed, aborted, unknown };

// What became of an in-doubt transaction, asked on another connection to the same database. A
// transaction still in progress (its server process has not yet noticed that its client is gone)
// is ended by terminating that process, which either completes a commit under way or aborts it;
// `unknown` when that did not settle it by `give_up_at`, or the server cannot tell (the
// transaction is too old for it to remember, or it is another database that never saw it).
// Throws Error (connection_lost) when this connection fails too; each round trip may take up to
// `timeout`.
CommitStatus resolve_commit(Connection& db, const InDoubtCommit& commit, Clock::time_point give_up_at,
                            Clock::duration timeout);

}  // namespace parley::store::pg
