// kvalidate's entry point: builds the CLI from the command table, parses, runs one subcommand.
// CLI11 exceptions stop here; everything below returns errors as values.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include <fmt/core.h>

#include "build_info.h"
#include "cli/command.h"
#include "core/exit_codes.h"
#include "core/text.h"

namespace kv::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}

int run_main(int argc, char** argv) {
  auto& commands = command_registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
  CLI::App app{"kvalidate: validate Helm charts and Kubernetes manifests against a real API server", "kvalidate"};
  app.set_version_flag("--version", std::string("kvalidate ") + KV_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  std::vector<std::function<int()>> runners;
  for (auto& c : commands) runners.push_back(c.setup(app.add_subcommand(c.name, c.description)));
  if (argc < 2) {
    // No command at all: one line naming the commands there are.
    std::string names;
    for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.name;
    fmt::print(stderr, "kvalidate: a subcommand is required: {} (see kvalidate --help)\n", names);
    return exit_code::kBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (argc > 1 && argv[1][0] != '-') {
      bool known = std::any_of(commands.begin(), commands.end(), [&](const Command& c) { return c.name == argv[1]; });
      if (!known) {
        msg = fmt::format("unknown command \"{}\"", argv[1]);
        std::vector<std::string> names;
        for (const auto& c : commands) names.push_back(c.name);
        if (auto s = closest_word(argv[1], names); !s.empty()) msg += fmt::format("; did you mean \"{}\"?", s);
        msg += " (see kvalidate --help)";
      }
    }
    fmt::print(stderr, "kvalidate: {}\n", msg);
    return exit_code::kBadInput;
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    CLI::App* sub = app.get_subcommand(commands[i].name);
    if (sub && sub->parsed()) return runners[i]();
  }
  fmt::print(stderr, "kvalidate: no command given (see kvalidate --help)\n");
  return exit_code::kBadInput;
}

}  // namespace kv::cli

int main(int argc, char** argv) {
  try {
    return kv::cli::run_main(argc, argv);
  } catch (const std::exception& e) {
    // Last resort: nothing below should throw; if it does, fail cleanly without a trace.
    fmt::print(stderr, "kvalidate: internal error: {}\n", e.what());
    return kv::exit_code::kInfrastructure;
  }
}
