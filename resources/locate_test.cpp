#include "resources/locate.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

using kv::locate;

namespace {
const char* kDeployment =
    "# comment\n"                         // 1
    "apiVersion: apps/v1\n"               // 2
    "kind: Deployment\n"                  // 3
    "metadata:\n"                         // 4
    "  name: web\n"                       // 5
    "  annotations:\n"                    // 6
    "    example.com/owner: team\n"       // 7
    "spec:\n"                             // 8
    "  template:\n"                       // 9
    "    spec:\n"                         // 10
    "      containers:\n"                 // 11
    "      - name: sidecar\n"             // 12
    "        image: busybox\n"            // 13
    "      - name: web\n"                 // 14
    "        imagePullPolice: Always\n"   // 15
    "        ports:\n"                    // 16
    "        - containerPort: 80\n";      // 17

kv::Resource second_document() {
  auto loaded = kv::load_text(std::string("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n") +
                                  kDeployment, "d.yaml");
  REQUIRE(loaded.ok());
  REQUIRE(loaded.resources.size() == 2);
  return loaded.resources[1];
}
}  // namespace

TEST_CASE("parse_field_path handles keys, indexes, selectors and bracketed keys") {
  auto segs = kv::parse_field_path("spec.containers[0].env[name=FOO].value");
  REQUIRE(segs);
  REQUIRE(segs->size() == 6);
  CHECK((*segs)[2].kind == kv::PathSegment::Kind::kIndex);
  CHECK((*segs)[2].index == 0);
  CHECK((*segs)[4].kind == kv::PathSegment::Kind::kSelector);
  CHECK((*segs)[4].key == "name");
  CHECK((*segs)[4].value == "FOO");
  auto ann = kv::parse_field_path(".metadata.annotations[example.com/a.b]");
  REQUIRE(ann);
  REQUIRE(ann->size() == 3);
  CHECK((*ann)[2].key == "example.com/a.b");
  CHECK(kv::parse_field_path("")->empty());
  CHECK_FALSE(kv::parse_field_path("a..b"));
  CHECK_FALSE(kv::parse_field_path("a[0"));
  CHECK_FALSE(kv::parse_field_path("a[]"));
  CHECK_FALSE(kv::parse_field_path("a."));
  CHECK_FALSE(kv::parse_field_path("a]b"));
}

TEST_CASE("locate maps field paths to file lines of the second document") {
  kv::Resource r = second_document();
  CHECK(r.source.line == 6);
  auto at = [&](const char* path) { auto p = locate(r, path); REQUIRE(p); return *p; };
  CHECK(at("metadata.name").line == 9);
  CHECK(at("metadata.name").column == 3);
  CHECK(at("metadata.annotations[example.com/owner]").line == 11);
  CHECK(at("spec.template.spec.containers[0]").line == 16);
  CHECK(at("spec.template.spec.containers[0]").column == 9);
  CHECK(at("spec.template.spec.containers[1].imagePullPolice").line == 19);
  CHECK(at("spec.template.spec.containers[1].ports[0].containerPort").line == 21);
  CHECK(at("spec.template.spec.containers[name=web].ports").line == 20);
  CHECK(at("spec.template.spec.containers[web].ports").line == 20);
  CHECK(at("").line == 6);
  CHECK(at("spec.template.spec.containers[1].imagePullPolice").exact);
}

TEST_CASE("locate falls back to the deepest existing ancestor") {
  kv::Resource r = second_document();
  auto p = locate(r, "spec.template.spec.containers[1].image");
  REQUIRE(p);
  CHECK_FALSE(p->exact);
  CHECK(p->line == 18);
  CHECK(p->matched == "spec.template.spec.containers[1]");
  auto q = locate(r, "spec.template.spec.containers[7].image");
  REQUIRE(q);
  CHECK(q->line == 15);  // the containers key
  auto none = locate(r, "status.phase");
  REQUIRE(none);
  CHECK(none->line == 6);
  CHECK(none->matched.empty());
  CHECK_FALSE(locate(r, "a..b"));
  CHECK_FALSE(locate(kv::Resource{}, "spec"));
}

TEST_CASE("locate maps List items and JSON documents to their file lines") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n"
      "  spec:\n    ports:\n    - port: 80\n---\n{\"apiVersion\": \"v1\",\n \"kind\": \"ConfigMap\",\n"
      " \"metadata\": {\"name\": \"j\"}}\n", "l.yaml");
  REQUIRE(loaded.ok());
  REQUIRE(loaded.resources.size() == 2);
  CHECK(locate(loaded.resources[0], "spec.ports[0].port")->line == 9);
  CHECK(locate(loaded.resources[0], "spec.ports[0].port")->column == 7);
  CHECK(locate(loaded.resources[1], "metadata.name")->line == 13);
  CHECK(locate(loaded.resources[1], "metadata.name")->column == 15);
}

TEST_CASE("field_paths_in_message extracts unknown and duplicate field paths") {
  auto paths = kv::field_paths_in_message(
      "unknown field \"spec.template.spec.containers[0].imagePullPolice\"");
  REQUIRE(paths.size() == 1);
  CHECK(paths[0] == "spec.template.spec.containers[0].imagePullPolice");
  auto two = kv::field_paths_in_message(
      "strict decoding error: duplicate field \"metadata.name\", unknown field \"spec.foo\"");
  REQUIRE(two.size() == 2);
  CHECK(two[0] == "metadata.name");
  CHECK(two[1] == "spec.foo");
  CHECK(kv::field_paths_in_message("unknown field \"unterminated").empty());
  CHECK(kv::field_paths_in_message("nothing here").empty());
}

TEST_CASE("without kept objects, locate and object_tree parse the body again") {
  kv::LoadOptions slim;
  slim.keep_objects = false;
  auto loaded = kv::load_text(std::string("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n") +
                                  kDeployment + "---\napiVersion: v1\nkind: List\nitems:\n"
                                  "- {apiVersion: v1, kind: ConfigMap, metadata: {name: i}}\n",
                              "d.yaml", slim);
  REQUIRE(loaded.ok());
  REQUIRE(loaded.resources.size() == 3);
  const kv::Resource& r = loaded.resources[1];
  CHECK_FALSE(r.object.IsMap());
  CHECK(r.name == "web");
  CHECK(kv::object_tree(r)["kind"].as<std::string>() == "Deployment");
  CHECK(locate(r, "spec.template.spec.containers[1].imagePullPolice")->line == 19);
  CHECK(loaded.resources[2].object.IsMap());  // List items keep theirs: their body is JSON
  CHECK(locate(loaded.resources[2], "metadata.name")->line == 26);
}

TEST_CASE("locate: selectors skip list items that lack the field") {
  kv::Resource r = second_document();
  auto p = locate(r, "spec.template.spec.containers[imagePullPolice=Always].ports");
  REQUIRE(p);
  CHECK(p->exact);
  CHECK(p->line == 20);
  CHECK_FALSE(locate(r, "spec.template.spec.containers[image=nope]")->exact);
}

TEST_CASE("locate: selectors with several fields pick the item, not the list") {
  auto loaded = kv::load_text(
      "apiVersion: v1\n"            // 1
      "kind: Service\n"             // 2
      "metadata: {name: envoy}\n"   // 3
      "spec:\n"                     // 4
      "  ports:\n"                  // 5
      "  - port: 8080\n"            // 6
      "    protocol: UDP\n"         // 7
      "  - port: 8080\n"            // 8
      "    protocol: TCP\n"         // 9
      "  - port: 15012\n"           // 10
      "    name: 15012\n",          // 11
      "s.yaml");
  REQUIRE(loaded.ok());
  const kv::Resource& r = loaded.resources[0];
  auto segs = kv::parse_field_path("spec.ports[port=8080,protocol=\"TCP\"].name");
  REQUIRE(segs);
  REQUIRE((*segs)[2].fields.size() == 2);
  CHECK((*segs)[2].fields[1].first == "protocol");
  CHECK((*segs)[2].fields[1].second == "TCP");
  CHECK(locate(r, "spec.ports[port=8080,protocol=\"TCP\"]")->line == 8);
  CHECK(locate(r, "spec.ports[port=8080,protocol=UDP]")->line == 6);
  // The protocol the user left out (the server defaults it) does not hide the item.
  auto p = locate(r, "spec.ports[port=15012,protocol=\"TCP\"].name");
  REQUIRE(p);
  CHECK(p->exact);
  CHECK(p->line == 11);
  CHECK_FALSE(locate(r, "spec.ports[port=9999,protocol=\"TCP\"]")->exact);
}

TEST_CASE("locate: the field the user wrote for the server's name of it") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"  // 1-3
      "stringData:\n"                                         // 4
      "  db password: x\n"                                    // 5
      "---\n"                                                 // 6
      "apiVersion: v1\nkind: Service\nmetadata: {name: v}\n"  // 7-9
      "spec:\n"                                               // 10
      "  clusterIP: 10.0.0.300\n"                             // 11
      "---\n"                                                 // 12
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"      // 13-15
      "spec:\n"                                               // 16
      "  serviceAccount: x_y\n",                              // 17
      "a.yaml");
  REQUIRE(loaded.ok());
  REQUIRE(loaded.resources.size() == 3);
  auto secret = locate(loaded.resources[0], "data[db password]");
  CHECK(secret->exact);
  CHECK(secret->line == 5);
  CHECK(locate(loaded.resources[1], "spec.clusterIPs[0]")->line == 11);
  CHECK(locate(loaded.resources[1], "spec.clusterIPs")->line == 11);
  CHECK(locate(loaded.resources[2], "spec.serviceAccountName")->line == 17);
  // Aliases are per kind: a ConfigMap's data key is only ever under data.
  CHECK(kv::alias_paths("ConfigMap", "data[x]").empty());
}

TEST_CASE("a pod template's labels, named without metadata by validation, are found under metadata") {
  auto loaded = kv::load_text(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"  // 1-3
      "spec:\n"                                                        // 4
      "  template:\n"                                                  // 5
      "    metadata:\n"                                                // 6
      "      labels:\n"                                                // 7
      "        app: web\n"                                             // 8
      "        tier: bad value\n"                                      // 9
      "      annotations: {a/b/c: x}\n",                               // 10
      "d.yaml");
  REQUIRE(loaded.ok());
  const auto& d = loaded.resources[0];
  CHECK(locate(d, "spec.template.labels")->line == 7);
  CHECK(locate(d, "spec.template.labels")->exact);
  CHECK(locate(d, "spec.template.labels[tier]")->line == 9);
  CHECK(locate(d, "spec.template.annotations")->line == 10);
  CHECK(kv::alias_paths("Deployment", "metadata.labels").empty());
  CHECK(kv::alias_paths("Deployment", "spec.template.labelsX").empty());
}

TEST_CASE("a field the server names by its Go name (upper case first) is found by its JSON name") {
  auto loaded = kv::load_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n"
                              "  loadBalancerSourceRanges: [10.0.0.0/40]\n",
                              "s.yaml");
  REQUIRE(loaded.ok());
  auto at = locate(loaded.resources[0], "spec.LoadBalancerSourceRanges[0]");
  REQUIRE(at);
  CHECK(at->exact);
  CHECK(at->line == 6);
}

TEST_CASE("an autoscaler refused for scaling to zero without metrics is at its minReplicas") {
  auto loaded = kv::load_text(
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"  // 1-3
      "spec:\n"                                                                           // 4
      "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n"              // 5
      "  minReplicas: 0\n"                                                                // 6
      "  maxReplicas: 3\n",                                                               // 7
      "h.yaml");
  REQUIRE(loaded.ok());
  CHECK(locate(loaded.resources[0], "spec.metrics")->line == 6);
  // Written with metrics, they are where the server says.
  auto with = kv::load_text(
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  minReplicas: 0\n"
      "  metrics: []\n",
      "h.yaml");
  REQUIRE(with.ok());
  CHECK(locate(with.resources[0], "spec.metrics")->line == 6);
}

TEST_CASE("a claim's storage request, named spec.resources[storage] by validation, is found under requests") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n"  // 1-3
      "spec:\n"                                                             // 4
      "  resources:\n"                                                      // 5
      "    requests:\n"                                                     // 6
      "      storage: 0\n",                                                 // 7
      "c.yaml");
  REQUIRE(loaded.ok());
  CHECK(locate(loaded.resources[0], "spec.resources[storage]")->line == 7);
  CHECK(kv::alias_paths("StatefulSet", "spec.volumeClaimTemplates[0].spec.resources[storage]") ==
        std::vector<std::string>{"spec.volumeClaimTemplates[0].spec.resources.requests[storage]"});
}

TEST_CASE("a ConfigMap too large, refused at the path \"[]\", is at its data") {
  auto loaded = kv::load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  big: x\n", "c.yaml");
  REQUIRE(loaded.ok());
  CHECK(locate(loaded.resources[0], "[]")->line == 4);
  CHECK_FALSE(locate(loaded.resources[0], "]"));
}

TEST_CASE("a Service port's targetPort, defaulted from its port, is found at the port") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"  // 1-3
      "spec:\n"                                                // 4
      "  ports:\n"                                             // 5
      "    - name: metrics\n"                                  // 6
      "      port: 70000\n"                                    // 7
      "    - name: web\n"                                      // 8
      "      port: 80\n"                                       // 9
      "      targetPort: 0\n",                                 // 10
      "s.yaml");
  REQUIRE(loaded.ok());
  CHECK(locate(loaded.resources[0], "spec.ports[0].targetPort")->line == 7);
  CHECK(locate(loaded.resources[0], "spec.ports[1].targetPort")->line == 10);  // written: itself
  CHECK(kv::alias_paths("Pod", "spec.ports[0].targetPort").empty());
}

TEST_CASE("a CRD's schema, named in its internal form by validation, is found in the version that holds it") {
  auto loaded = kv::load_text(
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gs.example.com}\n"  // 1-3
      "spec:\n"                                   // 4
      "  versions:\n"                             // 5
      "    - name: v1\n"                          // 6
      "      schema:\n"                           // 7
      "        openAPIV3Schema:\n"                // 8
      "          type: object\n"                  // 9
      "          properties:\n"                   // 10
      "            spec: {type: strin}\n"         // 11
      "      additionalPrinterColumns:\n"         // 12
      "        - {name: Age, type: date, jsonPath: .x}\n",  // 13
      "crd.yaml");
  REQUIRE(loaded.ok());
  const auto& crd = loaded.resources[0];
  auto at = locate(crd, "spec.validation.openAPIV3Schema.properties[spec].type");
  REQUIRE(at);
  CHECK(at->exact);
  CHECK(at->line == 11);
  CHECK(locate(crd, "spec.additionalPrinterColumns[0].type")->line == 13);
  CHECK(kv::alias_paths("CustomResourceDefinition", "spec.validationX").empty());
  CHECK(kv::alias_paths("ConfigMap", "spec.validation.openAPIV3Schema").empty());
}

TEST_CASE("node_at finds the node a path names, aliases included") {
  kv::Resource r = second_document();
  YAML::Node tree = kv::object_tree(r);
  auto n = kv::node_at(tree, r.kind, "spec.template.spec.containers[name=web].imagePullPolice");
  REQUIRE(n);
  CHECK(n->Scalar() == "Always");
  auto item = kv::node_at(tree, r.kind, ".spec.template.spec.containers[0]");
  REQUIRE(item);
  CHECK((*item)["name"].Scalar() == "sidecar");
  CHECK_FALSE(kv::node_at(tree, r.kind, "spec.nope"));
  CHECK_FALSE(kv::node_at(tree, r.kind, ""));
}

TEST_CASE("locate: a map key with dots, written by the server without brackets") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: m\n  annotations:\n"  // 1-5
      "    prometheus.io/scrape: \"true\"\n"                                    // 6
      "    prometheus.io/port: 9102\n",                                         // 7
      "s.yaml");
  REQUIRE(loaded.ok());
  auto p = locate(loaded.resources[0], ".metadata.annotations.prometheus.io/port");
  REQUIRE(p);
  CHECK(p->exact);
  CHECK(p->line == 7);
  CHECK(kv::node_at(kv::object_tree(loaded.resources[0]), "Service", "metadata.annotations.prometheus.io/port")
            ->Scalar() == "9102");
}
