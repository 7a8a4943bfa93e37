// parley-bench: a load generator for Socket.IO v4 chat servers with the seed's API (Parley, the
// reference server, the seed itself), on this machine only. See `parley-bench --help` and
// bench/compare.sh; the modes are described in modes.hpp.
#include <iostream>
#include <string>
#include <vector>

#include "modes.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = parley_bench::parse_command_line(args);
  if (parsed.exit_now) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  std::string command_line;
  for (std::size_t i = 0; i < args.size(); ++i) command_line += (i ? " " : "") + args[i];
  return parley_bench::run_mode(parsed.options, command_line);
}
