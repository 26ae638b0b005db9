// A Kubernetes object as loaded from a file, a stream or a chart's rendered output, with where it came
// from. The object itself is the parsed yaml-cpp node, whose marks give line:column of every field.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kv {

struct SourceRef {
  std::string file;           // as the user named it ("-" for stdin); for charts the chart path joined
                              // with the template's, e.g. "./mychart/templates/deployment.yaml"
  int line = 0;               // 1-based line where the object starts in `file` (0: unknown)
  int column = 0;             // 1-based
  int document = 0;           // 0-based index of the YAML document in its file or stream
  std::string template_path;  // set when rendered from a chart: "templates/deployment.yaml"
  std::string chart;          // set when rendered from a chart: the chart directory or .tgz given
};

// A defect of an object's text that kubectl passes over but the API server would reject (a duplicate
// key): reported as an error finding of the object, which is still validated as kubectl would send it.
struct LocalFinding {
  std::string rule;     // "input/duplicate-key"
  std::string message;
  int line = 0;         // as the object's node marks count lines, plus line_base (see Resource)
  int column = 0;
};

struct Resource {
  Resource() = default;
  Resource(const Resource&) = default;
  Resource& operator=(const Resource&) = default;
  // yaml-cpp's Node has no move, but copying one only shares its tree and cannot throw: declared
  // noexcept, a vector of Resources moves them when it grows (their texts are not copied).
  Resource(Resource&&) noexcept = default;
  Resource& operator=(Resource&&) noexcept = default;

  YAML::Node object;          // the whole object (a map), or Null when loaded with keep_objects=false
                              // (then object_tree() in resources/loader.h parses `body` again).
                              // yaml-cpp nodes are references: assigning one bound Node to another
                              // rewrites the first tree, so sort indices rather than Resources.
  SourceRef source;
  std::string api_version;    // "apps/v1"
  std::string kind;           // "Deployment"
  std::string name;           // metadata.name ("" with only generateName)
  std::string generate_name;  // metadata.generateName
  std::string namespace_;     // metadata.namespace as written ("" when absent)
  std::string body;           // the text to submit: the document's own text when the object is a whole
                              // document (the server parses it as kubectl would), else JSON of `object`
  int line_base = 0;          // file line of a field = its node's Mark().line + 1 + line_base
  std::vector<LocalFinding> local_findings;  // found while loading; body and object keep the last values
  std::string document_text;  // the document's own text when `body` is not it because the loader rewrote
                              // it (duplicate keys dropped); "" otherwise (see text())
  // The text the object's node marks count lines of: its document, or `body` for a whole document.
  const std::string& text() const { return document_text.empty() ? body : document_text; }

  std::string group() const {  // "" for the core group
    auto slash = api_version.find('/');
    return slash == std::string::npos ? "" : api_version.substr(0, slash);
  }
  std::string version() const {
    auto slash = api_version.find('/');
    return slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  }
  // "Deployment/demo/web" or "ClusterRole/reader": the display id used by reports.
  std::string display_id() const {
    std::string id = kind + "/";
    if (!namespace_.empty()) id += namespace_ + "/";
    return id + (name.empty() ? generate_name + "*" : name);
  }
};

}  // namespace kv
