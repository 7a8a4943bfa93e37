// Jobs almost never fail, so a batch is first sent plainly: BEGIN, every job's statements,
// COMMIT, one sync. No savepoints: a savepoint per job is two more statements per write for the
// server, and each one that writes becomes a subtransaction with an id of its own (beyond 64 in
// one transaction PostgreSQL's snapshots slow down for every session). If a job's statement
// fails there, the transaction is rolled back and the batch is run again as below.
//
// How a failure is contained. In pipeline mode the server skips everything after an error up
// to the next sync point, and the transaction stays open in the failed state. The batch is
// sent as one segment ending in COMMIT and a sync. When a job's statement fails, COMMIT is
// among the skipped statements; the next segment then rolls back to the failed job's savepoint
// (undoing just that job and bringing the transaction back to life) and resends the jobs after
// it. So one failing job costs one more round trip, and nothing is committed twice. Each
// further failure halves the segment length, so a batch full of failing jobs costs a round trip
// per job or so rather than resending the whole tail each time.
//
// Expected failures (a username already taken) never get here: such statements use
// ON CONFLICT DO NOTHING and report through their results. A failure outside a job's own
// statements (BEGIN, SAVEPOINT, COMMIT) fails the whole batch.
#include "store/pg_group_commit.hpp"

#include <algorithm>
#include <optional>

namespace parley::store::pg {

namespace {

const Statement begin{"parley_begin", "BEGIN", {}};
const Statement commit{"parley_commit", "COMMIT", {}};
const Statement rollback{"parley_rollback", "ROLLBACK", {}};
const Statement savepoint{"parley_savepoint", "SAVEPOINT job", {}};
const Statement release{"parley_release", "RELEASE SAVEPOINT job", {}};
const Statement rollback_to{"parley_rollback_to", "ROLLBACK TO SAVEPOINT job", {}};
const Statement all[] = {begin, commit, rollback, savepoint, release, rollback_to};

// What the next result of the pipeline answers.
struct Expected {
  enum class Kind { control, job_statement, sync } kind;
  std::size_t job = 0;
  int index = 0;
};

[[noreturn]] void out_of_step() { throw Error("the pipeline's results are out of step", true); }

// Reads one statement's result and the empty result that ends it. A lost connection is reported
// as such (the server's reason), not as results out of step.
Result take_statement_result(Connection& db, Clock::time_point deadline) {
  Result result = db.next_result(deadline);
  if (!result || result.sync()) out_of_step();
  if (!result.ok() && !result.aborted()) db.throw_if_lost(result);
  if (Result extra = db.next_result(deadline)) {
    if (!extra.ok()) db.throw_if_lost(extra);
    out_of_step();
  }
  return result;
}

void take_sync(Connection& db, Clock::time_point deadline) {
  Result result = db.next_result(deadline);
  if (result.sync()) return;
  if (result && !result.ok()) db.throw_if_lost(result);
  out_of_step();
}

// Queues a statement of the batch's own (BEGIN, SAVEPOINT, COMMIT, ...) and what it answers.
void send_control(Connection& db, const Statement& statement, std::vector<Expected>& expected) {
  db.send(statement);
  expected.push_back({Expected::Kind::control});
}

// Queues job `i`'s statements and what they answer.
void send_job(Connection& db, WriteJob& job, std::size_t i, std::vector<Expected>& expected) {
  int statements = job.send(db);
  for (int s = 0; s < statements; ++s) expected.push_back({Expected::Kind::job_statement, i, s});
}

// Ends the segment: a sync point, after which the server answers what the segment asked.
void send_sync(Connection& db, std::vector<Expected>& expected) {
  db.sync();
  expected.push_back({Expected::Kind::sync});
}

// What the results of one pipelined segment said: the job whose statement failed (in pipeline
// mode everything after a failure is skipped, so there is at most one), or a failure outside
// the jobs' statements. The jobs receive the results of their statements that succeeded.
struct SegmentResults {
  std::optional<std::size_t> failed_job;
  std::string job_error;
  std::optional<std::string> batch_error;
};

SegmentResults read_segment(Connection& db, const std::vector<Expected>& expected, std::span<WriteJob* const> jobs,
                            Clock::time_point deadline) {
  SegmentResults out;
  for (const auto& e : expected) {
    if (e.kind == Expected::Kind::sync) {
      take_sync(db, deadline);
      continue;
    }
    Result result = take_statement_result(db, deadline);
    if (result.aborted()) continue;  // skipped after the failure recorded below
    if (!result.ok()) {
      if (e.kind == Expected::Kind::job_statement) {
        out.failed_job = e.job;
        out.job_error = result.error();
      } else {
        out.batch_error = result.error();
      }
      continue;
    }
    if (e.kind == Expected::Kind::job_statement) jobs[e.job]->receive(e.index, result);
  }
  return out;
}

// Ends a transaction left in the failed state (harmless when COMMIT already ended it).
void roll_back(Connection& db, Clock::time_point deadline) {
  db.send(rollback);
  db.sync();
  take_statement_result(db, deadline);
  take_sync(db, deadline);
}

// The batch in one go without savepoints. nullopt when a job's statement failed: everything
// was rolled back, and the batch must be run with savepoints to find out which jobs can stand.
std::optional<BatchOutcome> run_plainly(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout) {
  db.enter_pipeline();
  std::vector<Expected> expected;
  send_control(db, begin, expected);
  for (std::size_t i = 0; i < jobs.size(); ++i) send_job(db, *jobs[i], i, expected);
  send_control(db, commit, expected);
  send_sync(db, expected);

  auto deadline = Clock::now() + timeout;
  SegmentResults results = read_segment(db, expected, jobs, deadline);
  bool job_failed = results.failed_job.has_value();
  if (job_failed || results.batch_error) roll_back(db, deadline);  // COMMIT was skipped or failed
  db.exit_pipeline();
  if (job_failed) return std::nullopt;
  BatchOutcome outcome;
  outcome.job_errors.resize(jobs.size());
  outcome.committed = !results.batch_error;
  if (results.batch_error) outcome.error = *results.batch_error;
  return outcome;
}

BatchOutcome run_with_savepoints(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout) {
  BatchOutcome outcome;
  outcome.job_errors.resize(jobs.size());
  db.enter_pipeline();
  std::vector<Expected> expected;
  std::size_t next = 0;  // the first job of the coming segment
  std::size_t segment_length = std::max<std::size_t>(1, jobs.size());
  int failures = 0;
  bool first_segment = true;
  bool undo_failed_job = false;  // the transaction is failed inside the last failed job's savepoint
  for (;;) {
    expected.clear();
    if (first_segment) send_control(db, begin, expected);
    if (undo_failed_job) {
      send_control(db, rollback_to, expected);
      send_control(db, release, expected);
    }
    std::size_t end = std::min(jobs.size(), next + segment_length);
    for (std::size_t i = next; i < end; ++i) {
      send_control(db, savepoint, expected);
      send_job(db, *jobs[i], i, expected);
      send_control(db, release, expected);
    }
    bool last_segment = end == jobs.size();
    if (last_segment) send_control(db, commit, expected);
    send_sync(db, expected);

    auto deadline = Clock::now() + timeout;
    SegmentResults results = read_segment(db, expected, jobs, deadline);
    if (results.failed_job) outcome.job_errors[*results.failed_job] = results.job_error;
    if (results.batch_error) {
      roll_back(db, deadline);
      db.exit_pipeline();
      outcome.error = *results.batch_error;
      return outcome;
    }
    first_segment = false;
    if (results.failed_job) {
      next = *results.failed_job + 1;
      undo_failed_job = true;
      if (++failures > 1) segment_length = std::max<std::size_t>(1, segment_length / 2);
      continue;
    }
    if (last_segment) {
      db.exit_pipeline();
      outcome.committed = true;
      return outcome;
    }
    next = end;
    undo_failed_job = false;
  }
}

}  // namespace

std::span<const Statement> batch_statements() { return all; }

BatchOutcome run_batch(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout) {
  if (auto outcome = run_plainly(db, jobs, timeout)) return *outcome;
  return run_with_savepoints(db, jobs, timeout);
}

}  // namespace parley::store::pg
