#include "engine/duplicate_objects.h"

#include <doctest/doctest.h>

using namespace kv;
using namespace kv::engine;

namespace {

ObjectResult object(const char* suite, const char* api_version, const char* kind, const char* ns, const char* name,
                    const char* file, int document, int line) {
  ObjectResult r;
  r.suite = suite;
  r.api_version = api_version;
  r.kind = kind;
  r.namespace_ = ns;
  r.name = name;
  r.source.file = file;
  r.source.document = document;
  r.source.line = line;
  return r;
}

}  // namespace

TEST_CASE("mark_duplicate_objects: the same object twice in one suite warns at the second, naming the first") {
  std::vector<ObjectResult> rs = {
      object("a.yaml", "v1", "ConfigMap", "default", "cfg", "a.yaml", 0, 1),
      object("a.yaml", "apps/v1", "Deployment", "default", "web", "a.yaml", 1, 9),
      object("a.yaml", "v1", "ConfigMap", "other", "cfg", "a.yaml", 2, 20),         // another namespace
      object("a.yaml", "apps/v1beta2", "Deployment", "default", "web", "a.yaml", 3, 30),  // same group: the same object
      object("b.yaml", "v1", "ConfigMap", "default", "cfg", "b.yaml", 0, 1),         // another file: no defect
      object("a.yaml", "v1", "ConfigMap", "default", "cfg", "a.yaml", 0, 1),         // the same document read twice
      object("a.yaml", "v1", "Pod", "default", "", "a.yaml", 4, 40),                // generateName
      object("a.yaml", "v1", "Pod", "default", "", "a.yaml", 5, 50),
  };
  mark_duplicate_objects(rs);
  for (size_t i : {0, 1, 2, 4, 5, 6, 7}) CHECK_MESSAGE(rs[i].findings.empty(), i);
  REQUIRE(rs[3].findings.size() == 1);
  const Finding& f = rs[3].findings[0];
  CHECK(f.severity == Severity::kWarning);
  CHECK(f.rule == kDuplicateObjectRule);
  CHECK(f.line == 30);
  CHECK(f.message == "Deployment/default/web is defined again (first at line 9): kubectl apply keeps only the last definition");
  CHECK(rs[3].status == ObjectStatus::kValid);
}

TEST_CASE("mark_duplicate_objects: two templates of one chart render") {
  std::vector<ObjectResult> rs = {
      object("mychart", "v1", "Service", "default", "web", "mychart/templates/service.yaml", 0, 1),
      object("mychart", "v1", "Service", "default", "web", "mychart/templates/service2.yaml", 0, 3),
      object("mychart values=ci/b-values.yaml", "v1", "Service", "default", "web", "mychart/templates/service.yaml", 0, 1),
  };
  for (auto& r : rs) r.source.chart = "mychart";
  mark_duplicate_objects(rs);
  CHECK(rs[0].findings.empty());
  CHECK(rs[2].findings.empty());  // another values file is another render
  REQUIRE(rs[1].findings.size() == 1);
  CHECK(rs[1].findings[0].message.find("first at mychart/templates/service.yaml:1") != std::string::npos);
  CHECK(rs[1].findings[0].message.find("Helm 3 fails the install") != std::string::npos);
}
