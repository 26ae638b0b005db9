#include "validators/rbac_expectations.h"

#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "core/files.h"
#include "core/yaml_util.h"
#include "validators/access_review.h"

namespace kv {

namespace {

const char* const kVerbs[] = {"get",         "list",   "watch", "create", "update",   "patch",   "delete",
                              "deletecollection", "impersonate", "bind", "escalate", "use", "approve", "sign",
                              "attest", "*"};

bool known_verb(const std::string& v) {
  for (const char* k : kVerbs)
    if (v == k) return true;
  return false;
}

std::string where(const std::string& file, const YAML::Node& n) {
  if (!n.IsDefined() || n.Mark().is_null()) return file;
  return fmt::format("{}:{}", file, n.Mark().line + 1);
}

Status bad(const std::string& file, const YAML::Node& n, const std::string& msg) {
  return Status::InvalidInput(where(file, n) + ": " + msg);
}

// Splits "deployments.apps/web" into resource, group and name.
void split_resource(const std::string& text, Expectation& e) {
  std::string res = text;
  if (auto slash = res.find('/'); slash != std::string::npos) {
    e.name = res.substr(slash + 1);
    res = res.substr(0, slash);
  }
  if (auto dot = res.find('.'); dot != std::string::npos) {
    e.group = res.substr(dot + 1);
    e.group_given = true;
    res = res.substr(0, dot);
  }
  e.resource = res;
}

Status check_verb(const Expectation& e, const std::string& file, const YAML::Node& at) {
  if (e.verb.empty()) return bad(file, at, "expectation has no verb");
  if (!known_verb(e.verb))
    return bad(file, at,
               fmt::format("unknown verb \"{}\" (known: get list watch create update patch delete deletecollection "
                           "impersonate bind escalate use approve sign attest *)",
                           e.verb));
  if (e.resource.empty()) return bad(file, at, "expectation has no resource");
  return Status::Ok();
}

Result<Expectation> parse_item(const YAML::Node& item, const Expectation& base, const std::string& file) {
  Expectation e = base;
  e.line = item.Mark().is_null() ? 0 : item.Mark().line + 1;
  e.column = item.Mark().is_null() ? 0 : item.Mark().column + 1;
  if (item.IsScalar()) {
    std::istringstream in(item.Scalar());
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.size() != 2)
      return bad(file, item, fmt::format("\"{}\": expected \"VERB RESOURCE[.GROUP][/NAME]\"", item.Scalar()));
    e.verb = words[0];
    split_resource(words[1], e);
    e.text = item.Scalar();
  } else if (item.IsMap()) {
    std::string resource_text;
    for (const auto& field : item) {
      std::string key = field.first.Scalar();
      if (!field.second.IsScalar()) return bad(file, field.second, fmt::format("\"{}\" must be a string", key));
      std::string v = field.second.Scalar();
      if (key == "verb") e.verb = v;
      else if (key == "resource") resource_text = v;
      else if (key == "subresource") e.subresource = v;
      else if (key == "namespace") e.namespace_ = v;
      else if (key == "name") e.name = v;
      else if (key == "group") { e.group = v; e.group_given = true; }
      else
        return bad(file, field.first,
                   fmt::format("unknown key \"{}\" (known: verb, resource, subresource, namespace, group, name)", key));
    }
    std::string name = e.name, group = e.group;
    bool group_given = e.group_given;
    split_resource(resource_text, e);
    if (!name.empty()) e.name = name;
    if (group_given) { e.group = group; e.group_given = true; }
    e.text = fmt::format("{} {}", e.verb, resource_text);
  } else {
    return bad(file, item, "an expectation is a string \"VERB RESOURCE[.GROUP][/NAME]\" or a map");
  }
  KV_RETURN_IF_ERROR(check_verb(e, file, item));
  return e;
}

}  // namespace

Result<std::vector<Expectation>> parse_expectations_node(const YAML::Node& list, const std::string& file) {
  std::vector<Expectation> out;
  if (!list.IsSequence()) return bad(file, list, "\"expectations\" must be a list");
  try {
    for (const auto& entry : list) {
      if (!entry.IsMap()) return bad(file, entry, "each expectations entry is a map with as:, allow: and/or deny:");
      Expectation base;
      base.file = file;
      std::string entry_ns;
      for (const auto& field : entry) {
        std::string key = field.first.Scalar();
        if (key == "as" || key == "namespace") {
          if (!field.second.IsScalar() || field.second.Scalar().empty())
            return bad(file, field.second, fmt::format("\"{}\" must be a non-empty string", key));
          (key == "as" ? base.user : entry_ns) = field.second.Scalar();
        } else if (key == "groups") {
          if (!field.second.IsSequence()) return bad(file, field.second, "\"groups\" must be a list of strings");
          for (const auto& g : field.second) {
            if (!g.IsScalar()) return bad(file, g, "\"groups\" must be a list of strings");
            base.groups.push_back(g.Scalar());
          }
        } else if (key != "allow" && key != "deny") {
          return bad(file, field.first, fmt::format("unknown key \"{}\" (known: as, groups, namespace, allow, deny)", key));
        }
      }
      if (base.user.empty()) return bad(file, entry, "expectations entry without \"as\" (the user to check)");
      std::string sa_ns;
      if (entry_ns.empty() && split_service_account(base.user, &sa_ns, nullptr)) entry_ns = sa_ns;
      if (entry_ns.empty()) entry_ns = "default";
      bool any = false;
      for (const char* key : {"allow", "deny"}) {
        auto items = entry[key];
        if (!items) continue;
        any = true;
        if (!items.IsSequence()) return bad(file, items, fmt::format("\"{}\" must be a list", key));
        base.allow = std::string(key) == "allow";
        for (const auto& item : items) {
          auto e = parse_item(item, base, file);
          if (!e.ok()) return e.status();
          if (e->namespace_.empty()) e->namespace_ = entry_ns;
          out.push_back(std::move(*e));
        }
      }
      if (!any) return bad(file, entry, "expectations entry without \"allow\" or \"deny\"");
    }
  } catch (const YAML::Exception& ex) {
    return Status::InvalidInput(fmt::format("{}:{}: {}", file, ex.mark.line + 1, ex.msg));
  }
  return out;
}

Result<std::vector<Expectation>> parse_expectations(const std::string& text, const std::string& file) {
  auto parsed = parse_yaml(text, file);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node doc = *parsed;
  if (!doc.IsMap() || !doc["expectations"])
    return Status::InvalidInput(file + ": expected a map with an \"expectations\" list (see docs/rbac.md)");
  for (const auto& field : doc)
    if (field.first.Scalar() != "expectations")
      return bad(file, field.first, fmt::format("unknown key \"{}\" (known: expectations)", field.first.Scalar()));
  return parse_expectations_node(doc["expectations"], file);
}

Result<std::vector<Expectation>> load_expectations(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return Status::InvalidInput(path + ": cannot read the RBAC expectations file");
  return parse_expectations(*text, path);
}

Status check_expectations(std::vector<Expectation>& exps, const kube::Discovery& discovery) {
  for (auto& e : exps) {
    std::string at = e.line ? fmt::format("{}:{}", e.file, e.line) : e.file;
    if (e.resource == "*") {
      e.cluster_scoped = false;
    } else {
      std::string wanted = e.group_given && !e.group.empty() ? e.resource + "." + e.group : e.resource;
      const kube::ApiResource* api = discovery.find_resource(wanted);
      if (!api && rbac_only_resource(wanted, &e.group)) {
        e.cluster_scoped = true;
        e.namespace_.clear();
        continue;
      }
      if (!api)
        return Status::InvalidInput(fmt::format("{}: unknown resource \"{}\" (not served by the API server)", at, wanted));
      e.resource = api->resource;
      e.group = api->group;
      e.cluster_scoped = !api->namespaced;
      if (!e.subresource.empty() && !api->subresources.empty()) {
        bool found = false;
        for (const auto& s : api->subresources) found = found || s == e.subresource;
        if (!found)
          return Status::InvalidInput(
              fmt::format("{}: unknown subresource \"{}\" of {}", at, e.subresource, api->resource));
      }
    }
    if (e.cluster_scoped) e.namespace_.clear();
  }
  return Status::Ok();
}

std::string expectation_title(const Expectation& e) {
  std::string what = e.resource;
  if (!e.group.empty() && e.group != "*") what += "." + e.group;
  if (!e.subresource.empty()) {
    what += "/" + e.subresource;
    if (!e.name.empty()) what += " (object " + e.name + ")";
  } else if (!e.name.empty()) {
    what += "/" + e.name;
  }
  std::string scope = e.cluster_scoped ? "" : e.namespace_ == "*" ? " in all namespaces" : " in " + e.namespace_;
  return fmt::format("{} {} {}{}", e.user, e.verb, what, scope);
}

}  // namespace kv
