// The subcommand table: each cli/cmd_*.cpp registers one Command with a static Registrar. `setup`
// adds the subcommand and its options to the app and returns the function that runs it (after
// parsing) and yields the exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kv::cli {

struct Command {
  std::string name;
  std::string description;  // one line, shown by --help
  int order = 100;          // position in --help
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& command_registry();

struct Registrar {
  explicit Registrar(Command c) { command_registry().push_back(std::move(c)); }
};

}  // namespace kv::cli
