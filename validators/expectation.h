// RBAC expectations: "this subject may / may not do that" statements, from a YAML file (--rbac FILE) or
// a config's inline `expectations:`, parsed into values. Checking them is validators/rbac_expectations.h.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace kv {

struct Expectation {
  std::string user;                 // "as:"
  std::vector<std::string> groups;  // "groups:" (optional); impersonation_groups() adds the implied ones
  bool allow = true;                // from allow: or deny:
  std::string verb;
  std::string resource;             // as written, without ".group" ("pods"); resolved by check_expectations
  std::string group;                // as written ("apps" from "deployments.apps" or group:), or resolved
  bool group_given = false;         // the user named the group
  std::string subresource, name;
  std::string namespace_;           // "" = default (see docs/rbac.md); "*" = all namespaces
  std::string text;                 // the statement as written, for messages
  std::string file;
  int line = 0, column = 0;
  bool cluster_scoped = false;      // set by check_expectations
};

// Parses an expectations file (format in docs/rbac.md). Errors are InvalidInput naming file:line.
Result<std::vector<Expectation>> load_expectations(const std::string& path);
// Same, from text already read (`file` names it in messages and results).
Result<std::vector<Expectation>> parse_expectations(const std::string& text, const std::string& file);
// Same, from the `expectations:` value of another document (a config file); marks give the lines.
Result<std::vector<Expectation>> parse_expectations_node(const YAML::Node& list, const std::string& file);

// "system:serviceaccount:demo:app list pods in demo" (also names group, subresource, object).
std::string expectation_title(const Expectation& e);

}  // namespace kv
