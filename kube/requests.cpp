#include "kube/requests.h"

#include <cstdio>

#include "core/json.h"

namespace kv::kube {

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

namespace {
std::string group_version_path(const ApiResource& a) {
  return a.group.empty() ? "/api/" + a.version : "/apis/" + a.group + "/" + a.version;
}
}  // namespace

std::string collection_path(const ApiResource& a, const std::string& ns) {
  std::string p = group_version_path(a);
  if (a.namespaced) p += "/namespaces/" + percent_encode(ns);
  return p + "/" + a.resource;
}

std::string all_namespaces_path(const ApiResource& a) { return group_version_path(a) + "/" + a.resource; }

Request plain_request(const std::string& method, std::string path) {
  Request r;
  r.method = method;
  r.path = std::move(path);
  return r;
}

std::string object_path(const ApiResource& a, const std::string& ns, const std::string& name) {
  return collection_path(a, ns) + "/" + percent_encode(name);
}

Request apply_request(const ApiResource& a, const std::string& ns, const std::string& name,
                      const std::string& body, const std::string& field_manager, bool dry_run, bool strict) {
  Request r;
  r.method = "PATCH";
  r.path = object_path(a, ns, name) + "?fieldManager=" + percent_encode(field_manager) +
           (strict ? "&fieldValidation=Strict" : "") + "&force=true" + (dry_run ? "&dryRun=All" : "");
  r.content_type = "application/apply-patch+yaml";
  r.body = body;
  return r;
}

Request create_request(const ApiResource& a, const std::string& ns, const std::string& body,
                       const std::string& field_manager, bool dry_run) {
  Request r;
  r.method = "POST";
  r.path = collection_path(a, ns) + "?fieldManager=" + percent_encode(field_manager) + "&fieldValidation=Strict" +
           (dry_run ? "&dryRun=All" : "");
  r.content_type = "application/yaml";
  r.body = body;
  return r;
}

Request managed_namespace_request(const std::string& name, const std::string& field_manager,
                                  const std::string& run_id) {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/namespaces?fieldManager=" + percent_encode(field_manager);
  r.content_type = "application/json";
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
  w.key("metadata").begin_object().key("name").value(name);
  w.key("labels").begin_object().key("kvalidate.io/managed").value("true");
  if (!run_id.empty()) w.key("kvalidate.io/run").value(run_id);
  w.end_object();
  w.end_object().end_object();
  r.body = w.str();
  return r;
}

Request update_request(const ApiResource& a, const std::string& ns, const std::string& name,
                       const std::string& body, const std::string& field_manager, bool dry_run) {
  Request r = create_request(a, ns, body, field_manager, dry_run);
  r.method = "PUT";
  r.path = object_path(a, ns, name) + r.path.substr(r.path.find('?'));
  return r;
}

Request get_request(const ApiResource& a, const std::string& ns, const std::string& name) {
  Request r;
  r.path = object_path(a, ns, name);
  return r;
}

}  // namespace kv::kube
