#include "render/template_lines.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "render/line_map.h"
#include "render/render.h"
#include "resources/locate.h"

namespace fs = std::filesystem;

namespace {

// A chart `name` in the temporary folder holding the one template templates/deploy.yaml, registered under
// that name, and the source of an object rendered from its first line; removed with the value.
struct OneTemplateChart {
  fs::path dir;
  kv::SourceRef src;
  OneTemplateChart(const std::string& name, const std::string& text)
      : dir(fs::temp_directory_path() / ("kv-" + name + "-test")) {
    fs::create_directories(dir / "templates");
    std::ofstream(dir / "templates" / "deploy.yaml") << text;
    kv::render::register_chart_source(name, dir.string(), nullptr);
    src = kv::SourceRef{name + "/templates/deploy.yaml", 1, 1, 0, "templates/deploy.yaml", name};
  }
  ~OneTemplateChart() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("a field maps to its key's line in the template, or to the document start") {
  fs::path dir = fs::temp_directory_path() / "kv-template-lines-test";
  fs::create_directories(dir / "templates");
  std::ofstream(dir / "templates" / "two.yaml") <<
      "{{- if .Values.a }}\n"          // 1
      "apiVersion: v1\n"               // 2
      "kind: Service\n"                // 3
      "metadata:\n"                    // 4
      "  name: {{ .Release.Name }}\n"  // 5
      "spec:\n"                        // 6
      "  ports:\n"                     // 7
      "    - port: 80\n"               // 8
      "      name: http\n"             // 9
      "{{- end }}\n"                   // 10
      "---\n"                          // 11
      "apiVersion: apps/v1\n"          // 12
      "kind: Deployment\n"             // 13
      "metadata:\n"                    // 14
      "  name: x\n"                    // 15
      "spec:\n"                        // 16
      "  template:\n"                  // 17
      "    spec:\n"                    // 18
      "      containers:\n"            // 19
      "        - name: app\n"          // 20
      "          imagePullPolicy: {{ .Values.p }}\n";  // 21
  std::ofstream(dir / "templates" / "labels.yaml") <<
      "kind: Deployment\nmetadata:\n  labels:\n    a: b\nspec:\n  template:\n    metadata:\n      labels:\n        c: d\n";
  kv::render::register_chart_source("mychart", dir.string(), nullptr);

  kv::SourceRef second{"mychart/templates/two.yaml", 12, 1, 1, "templates/two.yaml", "mychart"};
  CHECK(kv::render::template_line_for(second, "spec.template.spec.containers[0].imagePullPolicy") == 21);
  CHECK(kv::render::template_line_for(second, "imagePullPolicy") == 21);
  // "name" occurs twice in the second document: the enclosing keys decide.
  CHECK(kv::render::template_line_for(second, "metadata.name") == 15);
  CHECK(kv::render::template_line_for(second, "spec.template.spec.containers[0].name") == 20);
  CHECK(kv::render::template_line_for(second, "name") == 12);  // ambiguous: the document start
  // Both "metadata" keys enclose a "labels"; only the first is the object's own metadata.
  kv::SourceRef third{"mychart/templates/labels.yaml", 1, 1, 0, "templates/labels.yaml", "mychart"};
  CHECK(kv::render::template_line_for(third, "metadata.labels") == 3);
  CHECK(kv::render::template_line_for(third, "spec.template.metadata.labels") == 8);
  CHECK(kv::render::template_line_for(third, "labels") == 1);
  CHECK(kv::render::template_line_for(second, "replicas") == 12);

  kv::SourceRef first{"mychart/templates/two.yaml", 1, 1, 0, "templates/two.yaml", "mychart"};
  CHECK(kv::render::template_line_for(first, "spec.ports[0].port") == 8);
  CHECK(kv::render::template_line_for(first, "imagePullPolicy") == 1);  // not in this document

  kv::SourceRef missing{"nowhere/templates/x.yaml", 0, 0, 0, "templates/x.yaml", "nowhere"};
  CHECK(kv::render::template_line_for(missing, "a") == 0);
  fs::remove_all(dir);
}

TEST_CASE("template_spot_for: a field written through toYaml points at the enclosing key and its values key") {
  std::string chart = std::string(KV_SOURCE_DIR) + "/fixtures/charts/webapp";
  kv::SourceRef src;
  src.chart = chart;
  src.template_path = "templates/deployment.yaml";
  src.file = chart + "/templates/deployment.yaml";
  src.line = 1;
  // podAnnotations: {{- with .Values.podAnnotations }} annotations: {{- toYaml . | nindent 8 }}
  auto spot = kv::render::template_spot_for(src, "spec.template.metadata.annotations.prometheus.io/port");
  CHECK(spot.line == 17);
  CHECK(spot.values_key == "podAnnotations.prometheus.io/port");
  auto bracket = kv::render::template_spot_for(src, "spec.template.metadata.annotations[example.com/x]");
  CHECK(bracket.line == 17);
  CHECK(bracket.values_key == "podAnnotations.example.com/x");
  auto resources = kv::render::template_spot_for(src, "spec.template.spec.containers[0].resources.limits.memory");
  CHECK(resources.line == 56);
  CHECK(resources.values_key == "resources.limits.memory");
  // A field the template writes itself has no values key.
  auto policy = kv::render::template_spot_for(src, "spec.template.spec.containers[0].imagePullPolicy");
  CHECK(policy.line == 42);
  CHECK(policy.values_key.empty());
}

TEST_CASE("template_spot_for: a key written with one chart value names that value") {
  OneTemplateChart chart("directchart",
      "apiVersion: apps/v1\n"                                                   // 1
      "kind: Deployment\n"                                                      // 2
      "metadata: {name: web}\n"                                                 // 3
      "spec:\n"                                                                 // 4
      "  replicas: {{ .Values.replicaCount | default 1 }}\n"                    // 5
      "  template:\n"                                                           // 6
      "    spec:\n"                                                             // 7
      "      containers:\n"                                                     // 8
      "      - name: web\n"                                                     // 9
      "        image: \"{{ .Values.image.repo }}:{{ .Values.image.tag }}\"\n"   // 10
      "        imagePullPolicy: Always\n");                                     // 11
  const auto& src = chart.src;
  auto replicas = kv::render::template_spot_for(src, "spec.replicas");
  CHECK(replicas.line == 5);
  CHECK(replicas.direct_values_key == "replicaCount");
  CHECK(replicas.values_key.empty());
  // Two values on the line, or none: no one value to name.
  CHECK(kv::render::template_spot_for(src, "spec.template.spec.containers[0].image").direct_values_key.empty());
  CHECK(kv::render::template_spot_for(src, "spec.template.spec.containers[0].imagePullPolicy").direct_values_key.empty());
}

TEST_CASE("template_spot_for: a list item written through toYaml has a values key with its index") {
  OneTemplateChart chart("spotlistchart",
      "apiVersion: apps/v1\n"                          // 1
      "kind: Deployment\n"                             // 2
      "metadata: {name: web}\n"                        // 3
      "spec:\n"                                        // 4
      "  template:\n"                                  // 5
      "    spec:\n"                                    // 6
      "      {{- with .Values.tolerations }}\n"        // 7
      "      tolerations:\n"                           // 8
      "        {{- toYaml . | nindent 8 }}\n"          // 9
      "      {{- end }}\n"                             // 10
      "      containers:\n"                            // 11
      "      - name: web\n"                            // 12
      "        env: {{- toYaml .Values.env | nindent 8 }}\n");  // 13
  const auto& src = chart.src;
  auto toleration = kv::render::template_spot_for(src, "spec.template.spec.tolerations[0].value");
  CHECK(toleration.line == 8);
  CHECK(toleration.values_key == "tolerations[0].value");
  auto env = kv::render::template_spot_for(src, "spec.template.spec.containers[0].env[1].value");
  CHECK(env.line == 13);
  CHECK(env.values_key == "env[1].value");
  // A list item named by a selector has no index in the values: the key stops before it.
  auto selected = kv::render::template_spot_for(src, "spec.template.spec.containers[0].env[name=A].value");
  CHECK(selected.values_key == "env");
  CHECK(toleration.direct_values_key.empty());  // written through toYaml, not as the key's value
}

TEST_CASE("template_spot_for: pod template labels written by toYaml beside an include, and named without metadata") {
  fs::path dir = fs::temp_directory_path() / "kv-template-spot-labels-test";
  fs::create_directories(dir / "templates");
  std::ofstream(dir / "templates" / "deploy.yaml") <<
      "apiVersion: apps/v1\n"                                  // 1
      "kind: Deployment\n"                                     // 2
      "metadata:\n"                                            // 3
      "  name: web\n"                                          // 4
      "  labels: {app: web}\n"                                 // 5
      "spec:\n"                                                // 6
      "  template:\n"                                          // 7
      "    metadata:\n"                                        // 8
      "      labels:\n"                                        // 9
      "        {{- include \"x.labels\" . | nindent 8 }}\n"    // 10
      "        {{- with .Values.podLabels }}\n"                // 11
      "        {{- toYaml . | nindent 8 }}\n"                  // 12
      "        {{- end }}\n"                                   // 13
      "      annotations:\n"                                   // 14
      "        {{- toYaml .Values.podAnnotations | nindent 8 }}\n"  // 15
      "    spec:\n"                                            // 16
      "      containers: []\n";                                // 17
  kv::render::register_chart_source("spotchart", dir.string(), nullptr);
  kv::SourceRef src{"spotchart/templates/deploy.yaml", 1, 1, 0, "templates/deploy.yaml", "spotchart"};
  // Validation names the labels spec.template.labels: found under the template's metadata (with the kind).
  auto label = kv::render::template_spot_for(src, "spec.template.labels[tier]", "Deployment");
  CHECK(label.line == 9);
  CHECK(label.values_key == "podLabels.tier");  // `toYaml .` in a `with` inside the block
  CHECK(label.values_key_shared);               // the include writes there too
  CHECK(label.toyaml_line == 12);
  // Without the kind no alias is tried: two labels keys, neither under spec.template; the nearest key
  // written is template:, and no toYaml is its own (those of its block are under deeper keys).
  auto plain = kv::render::template_spot_for(src, "spec.template.labels[tier]");
  CHECK(plain.line == 7);
  CHECK(plain.values_key.empty());
  auto note = kv::render::template_spot_for(src, "spec.template.annotations[a/b/c]", "Deployment");
  CHECK(note.line == 14);
  CHECK(note.values_key == "podAnnotations.a/b/c");
  CHECK_FALSE(note.values_key_shared);
  CHECK(note.toyaml_line == 15);
  fs::remove_all(dir);
}

TEST_CASE("the items of a List a template wrote start, and map, at the lines that wrote them") {
  fs::path dir = fs::temp_directory_path() / "kv-template-lines-list-test";
  fs::create_directories(dir / "templates");
  std::ofstream(dir / "templates" / "list.yaml") <<
      "apiVersion: v1\n"                                   // 1
      "kind: List\n"                                       // 2
      "items:\n"                                           // 3
      "{{- range $i, $e := until 2 }}\n"                   // 4
      "  - apiVersion: v1\n"                               // 5
      "    kind: Service\n"                                // 6
      "    metadata:\n"                                    // 7
      "      name: svc-{{ $i }}\n"                         // 8
      "    spec:\n"                                        // 9
      "      ports:\n"                                     // 10
      "        - port: {{ $.Values.port }}\n"              // 11
      "{{- end }}\n";                                      // 12
  kv::render::register_chart_source("listchart", dir.string(), nullptr);
  kv::render::Chart c;
  c.path = "listchart";
  c.root = dir.string();
  c.name = "listchart";
  auto out = kv::render::parse_rendered(
      "---\n# Source: listchart/templates/list.yaml\napiVersion: v1\nkind: List\nitems:\n"
      "  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: svc-0\n    spec:\n      ports:\n        - port: 99999\n"
      "  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: svc-1\n    spec:\n      ports:\n        - port: 99999\n",
      c, "s");
  REQUIRE(out.resources.size() == 2);
  for (const auto& r : out.resources) {
    CAPTURE(r.name);
    CHECK(r.source.line == 5);
    auto pos = kv::locate(r, "spec.ports[0].port");
    REQUIRE(pos);
    CHECK(kv::render::template_line_of(r, pos->line) == 11);
  }
  fs::remove_all(dir);
}
