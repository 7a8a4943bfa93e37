#include "group_mode.hpp"

#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "mode_steps.hpp"
#include "report.hpp"

namespace parley_bench {

using namespace std::chrono_literals;

int run_group(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  if (!connect_every_user(bench)) return 2;
  GroupResult result;
  result.groups = o.groups;
  result.members = o.members;
  auto setup = bench.create_groups(o.create_concurrency);
  result.created = setup.created;
  result.create_failed = setup.failed;
  result.create_seconds = setup.seconds;
  result.create_errors = setup.errors;
  print_group_setup(std::cout, result);
  if (setup.failed > 0) {
    std::cerr << "parley-bench: " << setup.failed << " of " << o.groups
              << " groups could not be created (does the server have create_conversation?)\n";
    return 2;
  }
  // The creation pushes (conversation_updated, the `created` system message) must not land in
  // the measured step.
  bench.quiesce(now_ns() + 5'000'000'000LL);
  result.step = bench.run_step(1, o.rate, o.duration_s, 0, LoadRun::Traffic::group);
  judge_step(result.step, std::nullopt);
  print_step(std::cout, result.step);
  auto info = bench.info();
  info.command_line = command_line;
  bench.close_all(10s);
  if (!write_report(o, group_json(info, result))) return 2;
  return result.step.passed ? 0 : 1;
}

}  // namespace parley_bench
