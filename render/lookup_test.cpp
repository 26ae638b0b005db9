#include "render/lookup.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

namespace fs = std::filesystem;

TEST_CASE("find_lookup_calls finds every lookup with its line and literal arguments") {
  kv::core::testing::TempDir tmp("lookup-test");
  const fs::path root = tmp.root();
  fs::create_directories(root / "templates");
  fs::create_directories(root / "charts" / "sub" / "templates");
  std::ofstream(root / "Chart.yaml") << "apiVersion: v2\nname: c\nversion: 0.1.0\n";
  std::ofstream(root / "templates" / "a.yaml")
      << "{{/* lookup \"v1\" \"Secret\" \"x\" \"in-a-comment\" */}}\n"
         "{{- $s := lookup \"v1\" \"Secret\" .Release.Namespace \"db\" }}\n"
         "kind: {{ (lookup \"apps/v1\" \"Deployment\" $ns .Values.name).kind }}\n"
         "{{ if (lookup \"v1\" \"Namespace\" \"\" \"kube-system\") }}x{{ end }}\n"
         "mylookup: {{ .Values.mylookup }}\n";
  std::ofstream(root / "charts" / "sub" / "templates" / "b.yaml") << "\n\n{{ lookup \"v1\" \"ConfigMap\" \"\" \"\" }}\n";
  kv::render::Chart chart;
  chart.path = "./c";
  chart.root = root.string();
  auto calls = kv::render::find_lookup_calls(chart, "demo");
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].file == "./c/templates/a.yaml");
  CHECK(calls[0].line == 2);
  CHECK(calls[0].literal);
  CHECK(calls[0].namespace_ == "demo");
  CHECK(calls[0].name == "db");
  CHECK(calls[0].text == "lookup \"v1\" \"Secret\" .Release.Namespace \"db\"");
  CHECK(calls[1].line == 3);
  CHECK_FALSE(calls[1].literal);
  CHECK(calls[2].line == 4);
  CHECK(calls[2].kind == "Namespace");
  CHECK(calls[2].namespace_.empty());
  CHECK(calls[3].file == "./c/charts/sub/templates/b.yaml");
  CHECK(calls[3].line == 3);
  CHECK(calls[3].literal);

  // Offline every call returned empty; against a cluster only those found empty or not checkable.
  auto offline = kv::render::lookup_result(chart, calls, {}, {}, "s");
  CHECK(offline.findings.size() == 4);
  CHECK(offline.status == kv::ObjectStatus::kValid);
  CHECK(offline.findings[0].severity == kv::Severity::kInfo);
  CHECK(offline.findings[0].message.find("rendered without a cluster") != std::string::npos);
  using A = kv::render::LookupAnswer;
  auto online = kv::render::lookup_result(chart, calls, {A::kEmpty, A::kUnknown, A::kFound, A::kFound},
                                          {"no Secret demo/db on the cluster", "its arguments are computed", "", ""}, "s");
  REQUIRE(online.findings.size() == 2);
  CHECK(online.findings[0].message.find("returned an empty map: no Secret demo/db") != std::string::npos);
  CHECK(online.findings[1].message.find("may have returned an empty map (its arguments are computed)") !=
        std::string::npos);
}
