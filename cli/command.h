// The subcommand table: each cli/cmd_*.cpp registers one Command with a static Registrar. main adds
// each as a subcommand with its name and description; `setup` adds its options to it and returns the
// function that runs it (after parsing) and yields the exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kv::cli {

struct Command {
  std::string name;
  std::string description;  // shown by --help (the first sentence also by shell completion)
  int order = 100;          // position in --help
  std::function<std::function<int()>(CLI::App* cmd)> setup;
};

std::vector<Command>& command_registry();

struct Registrar {
  explicit Registrar(Command c) { command_registry().push_back(std::move(c)); }
};

}  // namespace kv::cli
