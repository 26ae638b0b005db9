#include "render/values_origin.h"

#include <fstream>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/files.h"
#include "core/yaml_util.h"

namespace kv::render {

namespace {

// The line (1-based) of `key` in the values file `file`, matching map keys greedily (a key may contain
// dots); 0 when the file does not set it.
int line_in_values_file(const std::string& file, const std::string& key) {
  auto text = read_file(file);
  if (!text.ok()) return 0;
  auto parsed = parse_yaml(*text, file);
  if (!parsed.ok()) return 0;
  const YAML::Node root = *parsed;
  std::vector<std::string> parts;
  std::stringstream split(key);
  for (std::string p; std::getline(split, p, '.');) parts.push_back(p);
  YAML::Node cur;
  cur.reset(root);
  int line = 0;
  size_t i = 0;
  while (i < parts.size()) {
    if (!cur.IsMap()) return 0;
    bool found = false;
    for (size_t j = parts.size(); j > i && !found; --j) {
      std::string k = parts[i];
      for (size_t m = i + 1; m < j; ++m) k += "." + parts[m];
      // A list item by index: "tolerations[0]" is the key tolerations, then its item 0.
      std::vector<size_t> items;
      std::string bare = k;
      while (bare.size() > 2 && bare.back() == ']') {
        auto open = bare.rfind('[');
        if (open == std::string::npos || open + 2 > bare.size() - 1) break;
        std::string n = bare.substr(open + 1, bare.size() - open - 2);
        if (n.find_first_not_of("0123456789") != std::string::npos || n.size() > 9) break;
        items.insert(items.begin(), std::stoul(n));
        bare.erase(open);
      }
      for (int by_index = 0; by_index < 2 && !found; ++by_index) {
        if (by_index && items.empty()) continue;
        const std::string& name = by_index ? bare : k;
        for (const auto& kv : cur) {
          if (!kv.first.IsScalar() || kv.first.Scalar() != name) continue;
          line = kv.first.Mark().line + 1;
          cur.reset(kv.second);
          for (size_t n : by_index ? items : std::vector<size_t>{}) {
            if (!cur.IsSequence() || n >= cur.size()) return 0;
            YAML::Node item = cur[n];
            line = item.Mark().line + 1;
            cur.reset(item);
          }
          i = j;
          found = true;
          break;
        }
      }
    }
    if (!found) return 0;
  }
  return line;
}

// The --set style entry (KEY=VALUE[,KEY=VALUE]) whose key is `key`, a prefix of it, or under it: its key.
std::string set_key_matching(const std::string& entry, const std::string& key) {
  std::stringstream split(entry);
  for (std::string part; std::getline(split, part, ',');) {
    auto eq = part.find('=');
    if (eq == std::string::npos) continue;
    std::string k;
    for (size_t i = 0; i < eq; ++i) {
      if (part[i] == '\\' && i + 1 < eq) { k += part[++i]; continue; }
      k += part[i];
    }
    auto under = [](const std::string& a, const std::string& b) { return a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '.'; };
    if (k == key || under(key, k) || under(k, key)) return part.substr(0, eq);
  }
  return "";
}

}  // namespace

std::string value_origin(const Chart& chart, const std::string& run_values_file, const ValuesFlags& flags,
                         const std::string& key) {
  if (key.empty()) return "";
  for (const auto* list : {&flags.set_file, &flags.set_string, &flags.set}) {
    const char* flag = list == &flags.set_file ? "--set-file" : list == &flags.set_string ? "--set-string" : "--set";
    for (auto it = list->rbegin(); it != list->rend(); ++it)
      if (std::string k = set_key_matching(*it, key); !k.empty()) return std::string(flag) + " " + k;
  }
  for (auto it = flags.files.rbegin(); it != flags.files.rend(); ++it)
    if (int line = line_in_values_file(*it, key)) return *it + ":" + std::to_string(line);
  auto in_chart = [&](const std::string& rel) -> std::string {
    int line = line_in_values_file(chart.root + "/" + rel, key);
    return line ? chart.path + "/" + rel + ":" + std::to_string(line) : "";
  };
  if (!run_values_file.empty()) {
    std::string rel = run_values_file.rfind(chart.root + "/", 0) == 0 ? run_values_file.substr(chart.root.size() + 1)
                                                                       : run_values_file;
    if (rel.front() == '/') {
      if (int line = line_in_values_file(rel, key)) return rel + ":" + std::to_string(line);
    } else if (std::string at = in_chart(rel); !at.empty()) {
      return at;
    }
  }
  return in_chart("values.yaml");
}

std::string template_value_origin(const Chart& chart, const std::string& run_values_file, const ValuesFlags& flags,
                                  const std::string& template_path, const std::string& key) {
  // The subcharts on the way down: "charts/a/charts/b/templates/x.yaml" → a, b.
  std::vector<std::string> names;
  std::string rest = template_path;
  while (rest.rfind("charts/", 0) == 0) {
    auto slash = rest.find('/', 7);
    if (slash == std::string::npos) break;
    names.push_back(rest.substr(7, slash - 7));
    rest = rest.substr(slash + 1);
  }
  if (names.empty()) return value_origin(chart, run_values_file, flags, key);
  std::string full;
  for (const auto& n : names) full += n + ".";
  if (std::string at = value_origin(chart, run_values_file, flags, full + key); !at.empty()) return at;
  // Each chart below the parent: its own values.yaml, under the names below it.
  std::string folder;
  for (size_t i = 0; i < names.size(); ++i) {
    folder += "charts/" + names[i] + "/";
    std::string below;
    for (size_t k = i + 1; k < names.size(); ++k) below += names[k] + ".";
    if (int line = line_in_values_file(chart.root + "/" + folder + "values.yaml", below + key))
      return chart.path + "/" + folder + "values.yaml:" + std::to_string(line);
  }
  return "";
}

}  // namespace kv::render
