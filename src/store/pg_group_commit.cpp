// Jobs almost never fail, so a batch is first sent plainly: BEGIN, the transaction's id, every
// job's statements, one sync; then COMMIT and a sync. No savepoints: a savepoint per job is two
// more statements per write for the server, and each one that writes becomes a subtransaction
// with an id of its own (beyond 64 in one transaction PostgreSQL's snapshots slow down for every
// session). If a job's statement fails there, the transaction is rolled back and the batch is
// run again as below.
//
// Why COMMIT waits for the jobs' results, a round trip of its own: if the connection is lost
// between COMMIT and its answer, the server may have committed. The batch then already knows
// every job's results (the message ids its callers are to get) and its transaction's id, so that
// whether it committed can be asked on a new connection (resolve_commit) and the callers answered
// truthfully either way. The cost is one round trip and a statement per batch, none per write.
//
// How a failure is contained. In pipeline mode the server skips everything after an error up
// to the next sync point, and the transaction stays open in the failed state. When a job's
// statement fails, the next segment rolls back to the failed job's savepoint (undoing just that
// job and bringing the transaction back to life) and resends the jobs after it. So one failing
// job costs one more round trip, and nothing is committed twice. Each further failure halves
// the segment length, so a batch full of failing jobs costs a round trip per job or so rather
// than resending the whole tail each time.
//
// A transaction that lost a race with another one (a deadlock's victim: two servers whose writes
// lock the same rows, say a group's change and a receipt, in different orders) is rolled back
// whole and run again from the start, a few times after a short random pause: no job is to
// blame, so none is undone alone for it. Past the last attempt the batch fails as a whole.
//
// Expected failures (a username already taken) never get here: such statements use
// ON CONFLICT DO NOTHING and report through their results. A failure outside a job's own
// statements (BEGIN, SAVEPOINT, COMMIT) fails the whole batch.
#include "store/pg_group_commit.hpp"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <thread>

namespace parley::store::pg {

namespace {

const Statement begin{"parley_begin", "BEGIN", {}};
// Assigns the transaction its id now (it would get one at its first write anyway).
const Statement transaction_id{"parley_transaction_id", "SELECT pg_current_xact_id()", {}};
const Statement commit{"parley_commit", "COMMIT", {}};
const Statement rollback{"parley_rollback", "ROLLBACK", {}};
const Statement savepoint{"parley_savepoint", "SAVEPOINT job", {}};
const Statement release{"parley_release", "RELEASE SAVEPOINT job", {}};
const Statement rollback_to{"parley_rollback_to", "ROLLBACK TO SAVEPOINT job", {}};
const Statement all[] = {begin, transaction_id, commit, rollback, savepoint, release, rollback_to};

// resolve_commit's statements, run once in a long while: unnamed, not prepared. The id travels
// as text (xid8 has no binary form the client could build more simply).
constexpr char transaction_status[] = "SELECT pg_xact_status($1::text::xid8)";
// Only the process still running that very transaction: never another session that happens to
// have the same process id by now.
constexpr char terminate_transaction[] =
    "SELECT pg_terminate_backend(pid, $3) FROM pg_stat_activity WHERE pid = $1 AND backend_xid = $2::text::xid8::xid";
// How long one termination is waited for before the status is asked again.
constexpr auto termination_wait = std::chrono::milliseconds(1000);
// How many times a transaction that lost a race is run in all, and the longest pause before the
// next attempt (a random part of it, so that the two racers do not meet again in step).
constexpr int race_attempts = 4;
constexpr auto race_pause = std::chrono::milliseconds(20);

void pause_after_race(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<long> pause(1, race_pause.count() * attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(pause(random)));
}

// Thrown inside a batch whose transaction lost a race: rolled back, to be run again.
struct LostRace {
  std::string error;
};

// What the next result of the pipeline answers.
struct Expected {
  enum class Kind { control, transaction_id, job_statement, sync } kind;
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
void send_control(Connection& db, const Statement& statement, std::vector<Expected>& expected,
                  Expected::Kind kind = Expected::Kind::control) {
  db.send(statement);
  expected.push_back({kind});
}

// Opens the transaction, asks for its id and locks the rows the jobs will update.
void send_begin(Connection& db, std::vector<Expected>& expected, std::span<WriteJob* const> jobs,
                const Statement* lock_rows) {
  send_control(db, begin, expected);
  send_control(db, transaction_id, expected, Expected::Kind::transaction_id);
  if (!lock_rows) return;
  std::vector<std::int64_t> keys;
  for (auto* job : jobs) {
    if (auto key = job->lock_row()) keys.push_back(key);
  }
  if (keys.empty()) return;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  db.send(*lock_rows, Params().text(int8_array_literal(keys)));
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
  std::optional<std::int64_t> transaction_id;
  bool lost_race = false;  // the failure (of a job or not) was the transaction losing a race
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
      out.lost_race = means_retry_transaction(result.sqlstate());
      if (e.kind == Expected::Kind::job_statement) {
        out.failed_job = e.job;
        out.job_error = result.error();
      } else {
        out.batch_error = result.error();
      }
      continue;
    }
    if (e.kind == Expected::Kind::transaction_id) {
      if (result.rows() == 1) {
        out.transaction_id = result.int64(0, 0);
      } else {
        out.batch_error = "the transaction's id did not come back";  // not expected
      }
    }
    if (e.kind == Expected::Kind::job_statement) jobs[e.job]->receive(e.index, result);
  }
  return out;
}

// Ends the open transaction, left in the failed state by a statement that failed.
void roll_back(Connection& db, Clock::time_point deadline) {
  db.send(rollback);
  db.sync();
  take_statement_result(db, deadline);
  take_sync(db, deadline);
}

// Commits the open transaction, whose jobs have all been answered, in a segment of its own.
// Any loss from the moment COMMIT is handed to the connection leaves the outcome in doubt.
BatchOutcome commit_transaction(Connection& db, std::int64_t id, std::vector<std::string> job_errors,
                                Clock::duration timeout) {
  BatchOutcome outcome;
  outcome.job_errors = std::move(job_errors);
  Result result;
  try {
    db.send(commit);
    db.sync();
    auto deadline = Clock::now() + timeout;
    result = take_statement_result(db, deadline);
    take_sync(db, deadline);
  } catch (const Error& e) {
    outcome.error = e.what();
    outcome.in_doubt = InDoubtCommit{id, db.backend_pid()};
    return outcome;
  }
  if (result.ok()) {
    outcome.committed = true;
  } else {
    outcome.error = result.error();  // refused: the server rolled the transaction back
  }
  // The outcome is known whatever happens here: a connection that fails now is marked broken
  // and replaced at its next use (Connection::alive), and must not turn a commit into an error.
  try {
    db.exit_pipeline();
  } catch (const Error&) {
  }
  return outcome;
}

// The batch in one go without savepoints. nullopt when a job's statement failed: everything
// was rolled back, and the batch must be run with savepoints to find out which jobs can stand.
std::optional<BatchOutcome> run_plainly(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout,
                                        const Statement* lock_rows) {
  db.enter_pipeline();
  std::vector<Expected> expected;
  send_begin(db, expected, jobs, lock_rows);
  for (std::size_t i = 0; i < jobs.size(); ++i) send_job(db, *jobs[i], i, expected);
  send_sync(db, expected);

  auto deadline = Clock::now() + timeout;
  SegmentResults results = read_segment(db, expected, jobs, deadline);
  if (results.failed_job || results.batch_error) {
    roll_back(db, deadline);
    db.exit_pipeline();
    if (results.lost_race) throw LostRace{results.failed_job ? results.job_error : *results.batch_error};
    if (results.failed_job) return std::nullopt;
    BatchOutcome outcome;
    outcome.job_errors.resize(jobs.size());
    outcome.error = *results.batch_error;
    return outcome;
  }
  return commit_transaction(db, *results.transaction_id, std::vector<std::string>(jobs.size()), timeout);
}

BatchOutcome run_with_savepoints(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout,
                                 const Statement* lock_rows) {
  std::vector<std::string> job_errors(jobs.size());
  db.enter_pipeline();
  std::vector<Expected> expected;
  std::int64_t id = 0;
  std::size_t next = 0;  // the first job of the coming segment
  std::size_t segment_length = std::max<std::size_t>(1, jobs.size());
  int failures = 0;
  bool first_segment = true;
  bool undo_failed_job = false;  // the transaction is failed inside the last failed job's savepoint
  while (first_segment || undo_failed_job || next < jobs.size()) {
    expected.clear();
    if (first_segment) send_begin(db, expected, jobs, lock_rows);
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
    send_sync(db, expected);

    auto deadline = Clock::now() + timeout;
    SegmentResults results = read_segment(db, expected, jobs, deadline);
    if (results.lost_race) {
      roll_back(db, deadline);
      db.exit_pipeline();
      throw LostRace{results.failed_job ? results.job_error : *results.batch_error};
    }
    if (results.failed_job) job_errors[*results.failed_job] = results.job_error;
    if (results.batch_error) {
      roll_back(db, deadline);
      db.exit_pipeline();
      BatchOutcome outcome;
      outcome.job_errors = std::move(job_errors);
      outcome.error = *results.batch_error;
      return outcome;
    }
    if (first_segment) id = *results.transaction_id;
    first_segment = false;
    if (results.failed_job) {
      next = *results.failed_job + 1;
      undo_failed_job = true;
      if (++failures > 1) segment_length = std::max<std::size_t>(1, segment_length / 2);
      continue;
    }
    next = end;
    undo_failed_job = false;
  }
  return commit_transaction(db, id, std::move(job_errors), timeout);
}

BatchOutcome run_transaction_once(Connection& db, TransactionJob& job, Clock::duration timeout) {
  auto deadline = Clock::now() + timeout;
  db.exec(begin, Params(), deadline);
  std::int64_t id = db.exec(transaction_id, Params(), deadline).int64(0, 0);
  auto abandon = [&] {
    db.exec(rollback, Params(), Clock::now() + timeout);
  };
  bool commit_it = false;
  try {
    commit_it = job.run(db, Clock::now() + timeout);
  } catch (const Error& e) {
    if (e.connection_lost) throw;
    abandon();
    if (means_retry_transaction(e.sqlstate)) throw LostRace{e.what()};
    BatchOutcome outcome;
    outcome.job_errors = {e.what()};
    outcome.error = e.what();
    return outcome;
  }
  if (!commit_it) {
    abandon();
    BatchOutcome outcome;
    outcome.job_errors = {""};
    return outcome;
  }
  db.enter_pipeline();
  return commit_transaction(db, id, {""}, timeout);
}

// Runs `attempt` (a whole transaction of `job_count` jobs) again while it loses races, up to
// race_attempts times in all; past them, it fails as a whole with the last race's error.
template <class Attempt>
BatchOutcome run_until_no_race(std::size_t job_count, Attempt attempt) {
  for (int n = 1;; ++n) {
    try {
      return attempt();
    } catch (const LostRace& race) {
      if (n == race_attempts) {
        BatchOutcome outcome;
        outcome.job_errors.resize(job_count);
        outcome.error = race.error;
        return outcome;
      }
      pause_after_race(n);
    }
  }
}

}  // namespace

std::span<const Statement> batch_statements() { return all; }

BatchOutcome run_batch(Connection& db, std::span<WriteJob* const> jobs, Clock::duration timeout,
                       const Statement* lock_rows) {
  return run_until_no_race(jobs.size(), [&]() -> BatchOutcome {
    if (auto outcome = run_plainly(db, jobs, timeout, lock_rows)) return *outcome;
    return run_with_savepoints(db, jobs, timeout, lock_rows);
  });
}

BatchOutcome run_transaction(Connection& db, TransactionJob& job, Clock::duration timeout) {
  return run_until_no_race(1, [&] { return run_transaction_once(db, job, timeout); });
}

CommitStatus resolve_commit(Connection& db, const InDoubtCommit& commit, Clock::time_point give_up_at,
                            Clock::duration timeout) {
  std::string id = std::to_string(commit.transaction_id);
  for (;;) {
    Result status = db.exec(transaction_status, Params().text(id), Clock::now() + timeout);
    if (status.rows() != 1 || status.is_null(0, 0)) return CommitStatus::unknown;  // too old to be known
    std::string state = status.text(0, 0);
    if (state == "committed") return CommitStatus::committed;
    if (state == "aborted") return CommitStatus::aborted;
    // "in progress": the old session still holds it open (COMMIT never reached it, and it has not
    // seen its connection close) or is committing it right now. Ending that process settles it.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up_at - Clock::now());
    if (left <= std::chrono::milliseconds::zero()) return CommitStatus::unknown;
    auto wait = std::min(left, termination_wait);
    db.exec(terminate_transaction, Params().int64(commit.backend_pid).text(id).int64(wait.count()),
            Clock::now() + timeout + wait);
  }
}

}  // namespace parley::store::pg
