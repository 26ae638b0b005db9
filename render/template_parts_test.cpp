#include "render/template_parts.h"

#include <doctest/doctest.h>

#include "render/line_map.h"

namespace {

using kv::render::LineShape;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto l : kv::render::split_lines(text)) out.emplace_back(l);
  return out;
}

// metrics-server's certificate.yaml shape: helm prints the Certificate before the Issuer.
const char* kCertificates =
    "{{- if .Values.tls.certManager.enabled }}\n"                      // 1
    "apiVersion: cert-manager.io/v1\n"                                  // 2
    "kind: Issuer\n"                                                    // 3
    "metadata:\n"                                                       // 4
    "  name: {{ include \"ms.fullname\" . }}-issuer\n"                  // 5
    "spec:\n"                                                           // 6
    "  selfSigned: {}\n"                                                // 7
    "---\n"                                                             // 8
    "apiVersion: cert-manager.io/v1\n"                                  // 9
    "kind: Certificate\n"                                               // 10
    "metadata:\n"                                                       // 11
    "  name: {{ include \"ms.fullname\" . }}\n"                         // 12
    "spec:\n"                                                           // 13
    "  duration: {{ .Values.tls.certManager.duration | quote }}\n"      // 14
    "  issuerRef:\n"                                                    // 15
    "    name: {{ include \"ms.fullname\" . }}-issuer\n"                // 16
    "{{- end }}\n";                                                     // 17

}  // namespace

TEST_CASE("line shapes: literal text, patterns around actions, actions alone") {
  auto s = kv::render::line_shapes(lines_of(
      "kind: Service\n"
      "  name: {{ include \"x\" . }}-web\n"
      "  {{- toYaml .Values.labels | nindent 4 }}\n"
      "  labels: {{- include \"l\" (dict\n"
      "    \"a\" \"}}\") | nindent 4 }}\n"
      "{{/* a comment with }} in it */}}\n"
      "\n"));
  REQUIRE(s.size() == 7);
  CHECK(s[0].kind == LineShape::Kind::kLiteral);
  CHECK(s[1].kind == LineShape::Kind::kPattern);
  CHECK(s[1].pieces == std::vector<std::string>{"  name: ", "-web"});
  CHECK(s[2].kind == LineShape::Kind::kActions);
  CHECK(s[3].kind == LineShape::Kind::kPattern);
  CHECK(s[3].pieces.front() == "  labels:");
  CHECK(s[4].kind == LineShape::Kind::kActions);  // inside the action begun on the line before
  CHECK(s[5].kind == LineShape::Kind::kActions);
  CHECK(s[6].kind == LineShape::Kind::kBlank);
  CHECK(kv::render::shape_matches(s[1], "  name: rel-x-web"));
  CHECK_FALSE(kv::render::shape_matches(s[1], "  name: rel-x"));
  CHECK(kv::render::shape_matches(s[3], "  labels:"));
  CHECK(kv::render::shape_matches(s[0], "kind: Service   "));
  CHECK_FALSE(kv::render::shape_matches(s[2], "    a: b"));
}

TEST_CASE("objects are matched to the part that wrote them by kind and name, not by order") {
  auto m = kv::render::model_template(lines_of(kCertificates));
  REQUIRE(m.parts.size() == 2);
  CHECK(m.parts[0].kinds == std::vector<std::string>{"Issuer"});
  CHECK(m.parts[1].kinds == std::vector<std::string>{"Certificate"});
  CHECK(m.parts[0].first_content == 1);
  CHECK(m.parts[1].first_content == 8);
  auto parts = kv::render::match_parts(m, {{"Certificate", "rel-ms"}, {"Issuer", "rel-ms-issuer"}});
  CHECK(parts == std::vector<int>{1, 0});
}

TEST_CASE("names decide between parts of one kind; the first free part breaks ties") {
  auto m = kv::render::model_template(lines_of(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n"
      "---\n"
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}-headless\n"
      "---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.a }}\n"
      "---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.b }}\n"
      "---\n"
      "{{ range .Values.extra }}\n---\n{{ toYaml . }}\n{{ end }}\n"));
  auto parts = kv::render::match_parts(
      m, {{"Service", "r-x-headless"}, {"Service", "r-x"}, {"ConfigMap", "a"}, {"ConfigMap", "b"}, {"Secret", "s"}});
  CHECK(parts[0] == 1);
  CHECK(parts[1] == 0);
  CHECK(parts[2] == 2);
  CHECK(parts[3] == 3);
  CHECK(parts[4] >= 4);  // no part writes a Secret: a part that writes no kind (the range over values)
}

TEST_CASE("rendered lines map to the template line that wrote them, else the nearest enclosing key") {
  auto m = kv::render::model_template(lines_of(
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"       // 1-4
      "---\n"                                                             // 5
      "apiVersion: rbac.authorization.k8s.io/v1\n"                        // 6
      "kind: ClusterRole\n"                                               // 7
      "metadata:\n"                                                       // 8
      "  name: {{ .Release.Name }}-op\n"                                  // 9
      "  labels:\n"                                                       // 10
      "    {{- toYaml .Values.labels | nindent 4 }}\n"                    // 11
      "rules:\n"                                                          // 12
      "  - apiGroups: [\"\"]\n"                                           // 13
      "    resources: [pods]\n"                                           // 14
      "    verbs: [get]\n"                                                // 15
      "  - apiGroups:\n"                                                  // 16
      "      - '*'\n"                                                     // 17
      "    resources:\n"                                                  // 18
      "      - '*'\n"                                                     // 19
      "    verbs:\n"                                                      // 20
      "      - '*'\n"));                                                  // 21
  std::string rendered =
      "# Source: c/templates/rbac.yaml\n"      // 1
      "apiVersion: rbac.authorization.k8s.io/v1\n"  // 2
      "kind: ClusterRole\n"                    // 3
      "metadata:\n"                            // 4
      "  name: rel-op\n"                       // 5
      "  labels:\n"                            // 6
      "    team: a\n"                          // 7
      "    tier: b\n"                          // 8
      "rules:\n"                               // 9
      "  - apiGroups: [\"\"]\n"                // 10
      "    resources: [pods]\n"                // 11
      "    verbs: [get]\n"                     // 12
      "  - apiGroups:\n"                       // 13
      "      - '*'\n"                          // 14
      "    resources:\n"                       // 15
      "      - '*'\n"                          // 16
      "    verbs:\n"                           // 17
      "      - '*'\n";                         // 18
  int begin = m.parts[1].begin, end = m.parts[1].end;
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 5) == 9);
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 8) == 10);  // toYaml output: `labels:`
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 14) == 17);
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 16) == 19);
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 18) == 21);
  CHECK(kv::render::map_rendered_line(m, begin, end, rendered, 1) == 0);  // helm's comment: nothing encloses it
}

TEST_CASE("output a wrong nindent put at an outer level maps to the action that wrote it") {
  auto m = kv::render::model_template(lines_of(
      "apiVersion: apps/v1\n"                                 // 1
      "kind: Deployment\n"                                    // 2
      "metadata:\n"                                           // 3
      "  name: {{ .Release.Name }}\n"                         // 4
      "spec:\n"                                               // 5
      "  template:\n"                                         // 6
      "    spec:\n"                                           // 7
      "      containers:\n"                                   // 8
      "        - name: app\n"                                 // 9
      "          image: nginx\n"                              // 10
      "          {{- with .Values.resources }}\n"             // 11
      "          resources:\n"                                // 12
      "            {{- toYaml . | nindent 10 }}\n"            // 13
      "          {{- end }}\n"                                // 14
      "          {{- with .Values.mounts }}\n"                // 15
      "          volumeMounts:\n"                             // 16
      "            {{- toYaml . | nindent 12 }}\n"            // 17
      "          {{- end }}\n"                                // 18
      "      {{- include \"extra\" . | nindent 6 }}\n"        // 19
      "      restartPolicy: Always\n"));                      // 20
  std::string rendered =
      "apiVersion: apps/v1\n"          // 1
      "kind: Deployment\n"             // 2
      "metadata:\n"                    // 3
      "  name: rel\n"                  // 4
      "spec:\n"                        // 5
      "  template:\n"                  // 6
      "    spec:\n"                    // 7
      "      containers:\n"            // 8
      "        - name: app\n"          // 9
      "          image: nginx\n"       // 10
      "          resources:\n"         // 11
      "          limits:\n"            // 12  one level too far out: a field of the container
      "            cpu: 1\n"           // 13
      "          volumeMounts:\n"      // 14
      "            - name: v\n"        // 15  right: under its key
      "      hostNetwork: true\n"      // 16  the include's output
      "      restartPolicy: Always\n"; // 17
  const int end = static_cast<int>(m.lines.size());
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 12) == 13);  // not the container's item (9)
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 13) == 13);
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 15) == 16);  // toYaml under its key: the key
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 16) == 19);  // not `spec:` (7)
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 10) == 10);
}

TEST_CASE("a part of control flow alone renders nothing: an object an include writes is the include's part") {
  auto m = kv::render::model_template(lines_of(
      "{{- if .Values.enabled -}}\n"                       // 1
      "  {{- $name := include \"x.fullname\" . }}\n"       // 2
      "  {{- range $k, $v := .Values.routes }}\n"          // 3
      "---\n"                                              // 4
      "{{ include \"x.route\" (dict \"name\" $k) }}\n"    // 5
      "  {{- end }}\n"                                     // 6
      "{{- end }}\n"));                                    // 7
  REQUIRE(m.parts.size() == 2);
  CHECK(m.parts[0].first_content == -1);
  CHECK(m.parts[1].first_content == 4);
  auto parts = kv::render::match_parts(m, {{"HTTPRoute", "r-a"}, {"HTTPRoute", "r-b"}});
  CHECK(parts[0] == 1);
  CHECK(parts[1] == 1);
}

TEST_CASE("lines a range wrote more than once map to the range's body each time") {
  auto m = kv::render::model_template(lines_of(
      "apiVersion: apps/v1\n"                        // 1
      "kind: Deployment\n"                           // 2
      "metadata:\n"                                  // 3
      "  name: rg\n"                                 // 4
      "spec:\n"                                      // 5
      "  template:\n"                                // 6
      "    spec:\n"                                  // 7
      "      containers:\n"                          // 8
      "      {{- range .Values.containers }}\n"      // 9
      "        - name: {{ .name }}\n"                // 10
      "          image: {{ .image }}\n"              // 11
      "          imagePullPolicy: {{ .policy }}\n"   // 12
      "      {{- end }}\n"                           // 13
      "      restartPolicy: Always\n"));             // 14
  std::string rendered =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rg\nspec:\n  template:\n    spec:\n"
      "      containers:\n"                          // 8
      "        - name: a\n"                          // 9
      "          image: x\n"                         // 10
      "          imagePullPolicy: Always\n"          // 11
      "        - name: b\n"                          // 12
      "          image: y\n"                         // 13
      "          imagePullPolicy: Sometimes\n"       // 14
      "        - name: c\n"                          // 15
      "          image: z\n"                         // 16
      "          imagePullPolicy: Never\n"           // 17
      "      restartPolicy: Always\n";               // 18
  const int end = static_cast<int>(m.lines.size());
  for (int rendered_line : {11, 14, 17}) CHECK(kv::render::map_rendered_line(m, 0, end, rendered, rendered_line) == 12);
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 15) == 10);
  CHECK(kv::render::map_rendered_line(m, 0, end, rendered, 18) == 14);
}

TEST_CASE("a repeated range body is aligned with the enclosing range when an inner range took a line") {
  auto m = kv::render::model_template(lines_of(
      "items:\n"                                          // 1
      "{{- range $i, $e := until 2 }}\n"                  // 2
      "  - kind: Service\n"                               // 3
      "    metadata:\n"                                   // 4
      "      name: svc-{{ $i }}\n"                        // 5
      "    spec:\n"                                       // 6
      "      {{- if .cidrs }}\n"                          // 7
      "      ranges:\n"                                   // 8
      "      {{- range $c := .cidrs }}\n"                 // 9
      "        - {{ $c }}\n"                              // 10
      "      {{- end }}\n"                                // 11
      "      {{- end }}\n"                                // 12
      "      ports:\n"                                    // 13
      "        - name: {{ .port }}\n"                     // 14
      "          port: 80\n"                              // 15
      "      type: ClusterIP\n"                           // 16
      "{{- end }}\n"));                                   // 17
  std::string rendered =
      "items:\n"                       // 1
      "  - kind: Service\n"            // 2
      "    metadata:\n"                // 3
      "      name: svc-0\n"            // 4
      "    spec:\n"                    // 5
      "      ports:\n"                 // 6
      "        - name: web\n"          // 7
      "          port: 80\n"           // 8
      "      type: ClusterIP\n"        // 9
      "  - kind: Service\n"            // 10
      "    metadata:\n"                // 11
      "      name: svc-1\n"            // 12
      "    spec:\n"                    // 13
      "      ports:\n"                 // 14
      "        - name: web\n"          // 15
      "          port: 80\n"           // 16
      "      type: ClusterIP\n";       // 17
  const int end = static_cast<int>(m.lines.size());
  for (int line : {2, 10}) CHECK(kv::render::map_rendered_line(m, 0, end, rendered, line) == 3);
  for (int line : {8, 16}) CHECK(kv::render::map_rendered_line(m, 0, end, rendered, line) == 15);
  for (int line : {9, 17}) CHECK(kv::render::map_rendered_line(m, 0, end, rendered, line) == 16);
}
