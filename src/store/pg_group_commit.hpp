// Group commit on a pipelined PostgreSQL connection: many writes in one transaction, sent in one
// go and committed with one flush of the log. When a write fails (say, on a constraint), the
// batch runs again with each write inside its own savepoint, so that the failing one is undone
// alone while the others still commit.
#pragma once

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
};

struct BatchOutcome {
  bool committed = false;
  std::string error;                    // when nothing was committed: why
  std::vector<std::string> job_errors;  // per job: why it alone was rolled back ("" if stored)
};

// The fixed statements run_batch sends: prepare them on each connection it is given.
std::span<const Statement> batch_statements();

// Runs the jobs in one transaction: BEGIN, the jobs' statements, COMMIT, all pipelined; after a
// job's failure, again with SAVEPOINT + statements + RELEASE per job. Throws Error
// (connection_lost) when the connection fails or the database does not answer within `timeout`
// per round trip; whether anything committed is then unknown.
BatchOutcome run_batch(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout);

}  // namespace parley::store::pg
