#include "render/kustomize.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"
#include "render/kustomization.h"
#include "render/kustomize_origin.h"
#include "resources/loader.h"

namespace fs = std::filesystem;
using namespace kv::render;

namespace {
struct Tree : kv::core::testing::TempDir {
  Tree() : TempDir("kustomize-test") {}
};

kv::Resource built(const std::string& text) {
  auto loaded = kv::load_text(text, "built");
  REQUIRE(loaded.resources.size() == 1);
  return loaded.resources[0];
}

const char* const kBuiltDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web
  namespace: prod
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox
      - name: web
        image: nginx
        imagePullPolicy: Sometimes
        args: [a, b]
)";
}  // namespace

TEST_CASE("read_kustomization: patches of every form, with the lines they start on") {
  Tree t;
  t.write("o/kustomization.yaml",
          "resources: [../base]\n"                                  // 1
          "patchesStrategicMerge:\n"                                // 2
          "  - smp.yaml\n"                                          // 3
          "patches:\n"                                              // 4
          "  - path: json.yaml\n"                                   // 5
          "    target: {kind: Deployment, name: web}\n"             // 6
          "  - patch: |-\n"                                         // 7
          "      apiVersion: apps/v1\n"                             // 8
          "      kind: Deployment\n"                                // 9
          "      metadata: {name: web}\n"                           // 10
          "      spec:\n"                                           // 11
          "        replicas: 5\n"                                   // 12
          "buildMetadata: [managedByLabel]\n");
  t.write("o/smp.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n");
  t.write("o/json.yaml", "- op: replace\n  path: /spec/replicas\n  value: 4\n");
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  CHECK(k->build_metadata == std::vector<std::string>{"managedByLabel"});
  CHECK(k->local_refs == std::vector<std::string>{(t.root() / "base").string(), (t.root() / "o/smp.yaml").string(),
                                                  (t.root() / "o/json.yaml").string()});
  REQUIRE(k->patches.size() == 3);
  const auto& smp = k->patches[0];
  CHECK(smp.file == (t.root() / "o/smp.yaml").string());
  CHECK_FALSE(smp.json6902);
  CHECK(smp.kind == "Deployment");
  CHECK(smp.name == "web");
  CHECK(smp.group == "apps");
  CHECK(k->patches[1].json6902);
  CHECK(k->patches[1].kind == "Deployment");
  const auto& inl = k->patches[2];
  CHECK(inl.file == (t.root() / "o/kustomization.yaml").string());

  auto deploy = built(kBuiltDeployment);
  auto tree = kv::object_tree(deploy);
  CHECK(patch_line_for(smp, tree, "spec.replicas") == 6);
  CHECK(patch_line_for(k->patches[1], tree, "spec.replicas") == 3);  // the value's line
  CHECK(patch_line_for(inl, tree, "spec.replicas") == 12);
  CHECK(patch_line_for(inl, tree, "spec.minReadySeconds") == 0);  // not in the inline patch
  CHECK(patch_line_for(smp, tree, "spec.template.spec.containers[1].image") == 0);
  CHECK(patch_line_for(smp, tree, "metadata.name") == 0);  // names its target; sets nothing there
  CHECK(patch_targets(smp, deploy));

  auto missing = read_kustomization((t.root() / "nothing").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().exit_code() == 2);
  CHECK(missing.status().message().find("not a kustomization") != std::string::npos);
}

TEST_CASE("a JSON patch's field is found in the operation's value: a key's line, an item's, else the value's") {
  Tree t;
  t.write("o/kustomization.yaml", "resources: [../base]\npatches:\n  - path: ops.yaml\n    target: {kind: Deployment}\n");
  t.write("o/ops.yaml",
          "- op: add\n"                                   // 1
          "  path: /spec/template/spec/containers/1\n"    // 2
          "  value:\n"                                    // 3
          "    name: web\n"                               // 4
          "    image: nginx\n"                            // 5
          "    imagePullPolicy: Sometimes\n"              // 6
          "    args:\n"                                   // 7
          "    - a\n"                                     // 8
          "    - b\n"                                     // 9
          "- op: replace\n"                               // 10
          "  path: /spec/replicas\n"                      // 11
          "  value: 3\n"                                  // 12
          "- op: remove\n"                                // 13
          "  path: /metadata/labels\n");                  // 14
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  REQUIRE(k->patches.size() == 1);
  auto deploy = built(kBuiltDeployment);
  auto tree = kv::object_tree(deploy);
  const auto& ops = k->patches[0];
  CHECK(patch_line_for(ops, tree, "spec.template.spec.containers[1].imagePullPolicy") == 6);
  CHECK(patch_line_for(ops, tree, "spec.template.spec.containers[1].args[1]") == 9);
  CHECK(patch_line_for(ops, tree, "spec.template.spec.containers[1]") == 3);
  CHECK(patch_line_for(ops, tree, "spec.template.spec.containers[1].resources") == 3);  // not in the value
  CHECK(patch_line_for(ops, tree, "spec.replicas") == 12);
  CHECK(patch_line_for(ops, tree, "spec.template.spec.containers[0].image") == 0);
}

TEST_CASE("a strategic-merge patch matches list items by their merge key, not their index") {
  Tree t;
  t.write("o/kustomization.yaml", "patches:\n  - path: p.yaml\n");
  t.write("o/p.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
          "      containers:\n        - name: web\n          imagePullPolicy: Sometimes\n          args: [c]\n");
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE(k.ok());
  REQUIRE(k->patches.size() == 1);
  auto deploy = built(kBuiltDeployment);
  auto tree = kv::object_tree(deploy);
  CHECK(patch_line_for(k->patches[0], tree, "spec.template.spec.containers[1].imagePullPolicy") == 10);
  CHECK(patch_line_for(k->patches[0], tree, "spec.template.spec.containers[0].imagePullPolicy") == 0);
  CHECK(patch_line_for(k->patches[0], tree, "spec.template.spec.containers[1].image") == 0);
  CHECK(patch_line_for(k->patches[0], tree, "spec.template.spec.containers[1].args[0]") == 11);
}

TEST_CASE("locate_field: a container a patch added is at the patch's item; the base's by name, not index") {
  Tree t;
  t.write("base/kustomization.yaml", "resources: [d.yaml]\n");
  t.write("base/d.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"  // 1-7
          "      containers:\n"                        // 8
          "      - name: web\n"                        // 9
          "        image: nginx\n"                     // 10
          "        imagePullPolicy: Sometimes\n");     // 11
  t.write("o/kustomization.yaml", "resources: [../base]\npatches:\n  - path: p.yaml\n");
  t.write("o/p.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"  // 1-7
          "      containers:\n"                        // 8
          "        - name: extra\n"                    // 9
          "          args: [x]\n");                    // 10
  OriginReader reader;
  reader.build_root = (t.root() / "o").string();
  auto deploy = built("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
                      "    spec:\n      containers:\n      - name: extra\n        args: [x]\n"
                      "      - name: web\n        image: nginx\n        imagePullPolicy: Sometimes\n");
  ObjectOrigin o = resolve_origin(reader, deploy, "path: ../base/d.yaml\n",
                                  "- configuredIn: kustomization.yaml\n  configuredBy:\n"
                                  "    apiVersion: builtin\n    kind: PatchTransformer\n");
  REQUIRE(o.written);
  REQUIRE(o.patches.size() == 1);
  OriginMap map;
  map.objects[origin_key(deploy)] = o;
  auto image = locate_field(map, deploy, "spec.template.spec.containers[0].image");  // Required: never written
  CHECK(image.file == display_path((t.root() / "o/p.yaml").string()));
  CHECK(image.line == 9);
  auto policy = locate_field(map, deploy, "spec.template.spec.containers[1].imagePullPolicy");
  CHECK(policy.file == o.display);
  CHECK(policy.line == 11);
  auto args = locate_field(map, deploy, "spec.template.spec.containers[0].args[0]");
  CHECK(args.line == 10);
}

TEST_CASE("patch_targets: kind and group must agree; the name may have gained a prefix or be a regex") {
  KustomizePatch p;
  p.kind = "Deployment";
  p.name = "web";
  auto deploy = built(kBuiltDeployment);
  CHECK(patch_targets(p, deploy));
  p.name = "w.*";
  CHECK(patch_targets(p, deploy));
  p.name = "api";
  CHECK_FALSE(patch_targets(p, deploy));
  p.name = "";
  p.kind = "StatefulSet";
  CHECK_FALSE(patch_targets(p, deploy));
  p.kind = "Deployment";
  p.group = "extensions";
  CHECK_FALSE(patch_targets(p, deploy));
}

TEST_CASE("resolve_origin finds the written object through a name prefix, and the patches that ran over it") {
  Tree t;
  t.write("app/base/kustomization.yaml", "resources: [deployment.yaml]\n");
  t.write("app/base/deployment.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n---\n"
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n"
          "    spec:\n      containers:\n      - name: sidecar\n        image: busybox\n      - name: web\n"
          "        image: nginx\n        imagePullPolicy: Sometimes\n");
  t.write("app/prod/kustomization.yaml", "namePrefix: prod-\nresources: [../base]\npatches:\n  - path: r.yaml\n");
  t.write("app/prod/r.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n");
  OriginReader reader;
  reader.build_root = (t.root() / "wrapper").string();
  auto deploy = built(kBuiltDeployment);
  ObjectOrigin o = resolve_origin(reader, deploy, "path: ../app/base/deployment.yaml\n",
                                  "- configuredIn: ../app/prod/kustomization.yaml\n  configuredBy:\n"
                                  "    apiVersion: builtin\n    kind: PatchTransformer\n"
                                  "- configuredIn: ../app/prod/kustomization.yaml\n  configuredBy:\n"
                                  "    apiVersion: builtin\n    kind: PrefixSuffixTransformer\n");
  CHECK(o.file == (t.root() / "app/base/deployment.yaml").string());
  REQUIRE(o.written);
  CHECK(o.written->name == "web");
  CHECK(o.written->source.line == 6);
  REQUIRE(o.patches.size() == 1);
  OriginMap map;
  map.objects[origin_key(deploy)] = o;
  // Set by the patch: the patch file. Written in the base: the base file at the key.
  auto replicas = locate_field(map, deploy, "spec.replicas");
  CHECK(replicas.file == display_path((t.root() / "app/prod/r.yaml").string()));
  CHECK(replicas.line == 6);
  auto policy = locate_field(map, deploy, "spec.template.spec.containers[1].imagePullPolicy");
  CHECK(policy.file == o.display);
  CHECK(policy.line == 19);
  // A label the overlay added is not in the base: its deepest ancestor there.
  auto label = locate_field(map, deploy, "metadata.labels.env");
  CHECK(label.line == 8);
  // Lines of the build output (risk rules, YAML defects) map to the same field in the origin file.
  CHECK(origin_line_of(map, deploy, 15) == 19);  // imagePullPolicy
  CHECK(origin_line_of(map, deploy, 7) == 11);   // replicas: the base's own, not the patch's
  CHECK(origin_line_of(map, deploy, 5) == 8);    // the namespace the overlay set: metadata in the base
  CHECK(origin_line_of(map, deploy, 16) == 17);  // args the base has not: its container item
  CHECK(origin_line_of(map, deploy, 99) == deploy.source.line);
}

TEST_CASE("generated_key_line: a key from an env file is at its line there; files outside the folder are not read") {
  Tree t;
  t.write("o/kustomization.yaml",
          "configMapGenerator:\n"
          "  - name: env\n"
          "    envs: [app.env, ../outside.env]\n");
  t.write("o/app.env", "\xEF\xBB\xBF# settings\n\nGOOD=1\n  bad key=2\nFROM_ENV\n");
  t.write("outside.env", "SECRET=1\n");
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  auto cm = built("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: env-5f7h}\ndata: {GOOD: \"1\"}\n");
  auto bad = generated_key_line(*k, cm, "data[bad key]");
  CHECK(bad.line == 4);
  CHECK(bad.file == (t.root() / "o" / "app.env").lexically_normal().string());
  CHECK(generated_key_line(*k, cm, "data[FROM_ENV]").line == 5);
  CHECK(generated_key_line(*k, cm, "data[GOOD]").line == 3);
  CHECK(generated_key_line(*k, cm, "data[SECRET]").line == 0);  // ../outside.env is never opened
}

TEST_CASE("transformer_line_for: a replacement's target field path that wrote the field") {
  Tree t;
  t.write("o/kustomization.yaml",
          "replacements:\n"                                        // 1
          "  - source: {kind: ConfigMap, name: s, fieldPath: data.n}\n"  // 2
          "    targets:\n"                                         // 3
          "      - select: {kind: Deployment}\n"                   // 4
          "        reject: [{name: other}]\n"                      // 5
          "        fieldPaths:\n"                                  // 6
          "          - spec.replicas\n"                            // 7
          "          - spec.template.spec.containers.[name=web].image\n"  // 8
          "          - spec.template.spec.containers.0.args.0\n"   // 9
          "      - select: {kind: Service}\n"                      // 10
          "        fieldPaths: [spec.type]\n");                    // 11
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  auto d = built("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: prod-web}\nspec:\n  replicas: three\n"
                 "  template:\n    spec:\n      containers:\n      - {name: side, image: x, args: [a]}\n"
                 "      - {name: web, image: three}\n");
  CHECK(transformer_line_for(*k, d, "spec.replicas") == 7);
  CHECK(transformer_line_for(*k, d, "spec.template.spec.containers[1].image") == 8);
  CHECK(transformer_line_for(*k, d, "spec.template.spec.containers[name=web].image") == 8);
  CHECK(transformer_line_for(*k, d, "spec.template.spec.containers[0].image") == 0);  // not [name=web]
  CHECK(transformer_line_for(*k, d, "spec.template.spec.containers[0].args[0]") == 9);
  CHECK(transformer_line_for(*k, d, "spec.type") == 0);  // a Service's target
  auto other = built("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec: {replicas: three}\n");
  CHECK(transformer_line_for(*k, other, "spec.replicas") == 0);  // rejected
}

TEST_CASE("transformer_line_for: the kustomization entry that set a field to the value it has") {
  Tree t;
  t.write("o/kustomization.yaml",
          "resources: [../base]\n"                          // 1
          "namePrefix: Prod-\n"                             // 2
          "namespace: web_prod\n"                           // 3
          "commonLabels:\n"                                 // 4
          "  tier: front end\n"                             // 5
          "labels:\n"                                       // 6
          "  - pairs: {team: web team}\n"                   // 7
          "commonAnnotations:\n"                            // 8
          "  a/b/c: x\n"                                    // 9
          "replicas:\n"                                     // 10
          "  - name: web\n"                                 // 11
          "    count: -2\n"                                 // 12
          "images:\n"                                       // 13
          "  - name: nginx\n"                               // 14
          "    newTag: \" 1.27\"\n"                         // 15
          "configMapGenerator:\n"                           // 16
          "  - name: settings\n"                            // 17
          "    literals: [ok=1, \"bad key=2\"]\n"           // 18
          "    files:\n"                                    // 19
          "      - conf/app.properties\n");                 // 20
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  auto d = built("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Prod-web\n  namespace: web_prod\n"
                 "  labels: {tier: front end, team: web team, app: web}\n  annotations: {a/b/c: x}\n"
                 "spec:\n  replicas: -2\n  template:\n    spec:\n      containers:\n      - {name: web, image: \"nginx: 1.27\"}\n");
  CHECK(transformer_line_for(*k, d, "metadata.name") == 2);
  CHECK(transformer_line_for(*k, d, "metadata.namespace") == 3);
  CHECK(transformer_line_for(*k, d, "metadata.labels[tier]") == 5);
  CHECK(transformer_line_for(*k, d, "metadata.labels[team]") == 7);
  CHECK(transformer_line_for(*k, d, "metadata.labels[app]") == 0);  // the base's own
  CHECK(transformer_line_for(*k, d, "metadata.annotations[a/b/c]") == 9);
  CHECK(transformer_line_for(*k, d, "spec.replicas") == 12);
  CHECK(transformer_line_for(*k, d, "spec.template.spec.containers[0].image") == 15);
  auto other = built("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Prod-web, labels: {tier: back}}\nspec: {replicas: 3}\n");
  CHECK(transformer_line_for(*k, other, "spec.replicas") == 0);         // not the count the transformer wrote
  CHECK(transformer_line_for(*k, other, "metadata.labels[tier]") == 0);  // nor its label value
  auto cm = built("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Prod-settings-5f7h}\ndata: {ok: \"1\", \"bad key\": \"2\"}\n");
  CHECK(generated_key_line(*k, cm, "data[bad key]").line == 18);
  CHECK(generated_key_line(*k, cm, "data[bad key]").file.empty());
  CHECK(generated_key_line(*k, cm, "data[app.properties]").line == 20);
  CHECK(generated_key_line(*k, cm, "data[missing]").line == 0);
  CHECK(generated_key_line(*k, cm, "metadata.name").line == 0);
}

TEST_CASE("targets_nothing: a target by kind or name that selects no built object; never in doubt") {
  Tree t;
  t.write("o/kustomization.yaml",
          "resources: [deploy.yaml]\n"                    // 1
          "patches:\n"                                    // 2
          "  - target:\n"                                 // 3
          "      kind: Deployment\n"                      // 4
          "      name: wbe\n"                             // 5
          "    patch: '[{op: add, path: /x, value: 1}]'\n"  // 6
          "  - target: {kind: Deployment, labelSelector: app=web}\n"  // 7
          "    patch: '[{op: add, path: /x, value: 1}]'\n"  // 8
          "  - target: {kind: StatefulSet}\n"             // 9
          "    patch: '[{op: add, path: /x, value: 1}]'\n"  // 10
          "  - path: smp.yaml\n");                        // 11
  t.write("o/smp.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n");
  auto k = read_kustomization((t.root() / "o").string());
  REQUIRE_MESSAGE(k.ok(), k.status().message());
  REQUIRE(k->patches.size() == 4);
  CHECK(k->patches[0].target_line == 5);  // the name, where a typo is
  CHECK(k->patches[2].target_line == 9);  // no name: the target
  CHECK(k->patches[1].selects_by_metadata);
  CHECK(k->patches[3].target_line == 0);  // its own kind and name: kustomize fails itself when none matches
  const std::vector<kv::Resource> build{built(kBuiltDeployment)};
  CHECK(targets_nothing(k->patches[0], build));        // "wbe" is not in "prod-web"
  CHECK_FALSE(targets_nothing(k->patches[1], build));  // selected by labels: not judged
  CHECK(targets_nothing(k->patches[2], build));        // no StatefulSet at all
  CHECK_FALSE(targets_nothing(k->patches[3], build));
  KustomizePatch web = k->patches[0];
  web.name = "web";  // the prefix an outer kustomization added does not hide it
  CHECK_FALSE(targets_nothing(web, build));
  web.name = "w[e]b|api";
  CHECK_FALSE(targets_nothing(web, build));
  web.name = "^web$";  // anchored where the patch ran, before an outer prefix made it "prod-web"
  CHECK_FALSE(targets_nothing(web, build));
  web.name = "^api$";
  CHECK(targets_nothing(web, build));
}

TEST_CASE("build_error_place: what a failed build names, at its line (a patch that matched nothing at its name)") {
  Tree t;
  fs::create_directories(fs::path(t.path) / "overlay");
  fs::create_directories(fs::path(t.path) / "remote");
  std::ofstream(fs::path(t.path) / "overlay/kustomization.yaml") << R"(resources:
  - ../base
resourcs:
  - extra.yaml
configMapGenerator:
  - name: cfg
    files:
      - app.properties
replacements:
  - source:
      kind: ConfigMap
      name: nope
    targets:
      - select: {kind: Deployment}
        fieldPaths: [spec.replicas]
patches:
  - path: patch.yaml
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: app.v2
)";
  std::ofstream(fs::path(t.path) / "overlay/patch.yaml") << "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: webx\n";
  const std::string k = (fs::path(t.path) / "overlay/kustomization.yaml").string();
  const std::string folder = display_path((fs::path(t.path) / "overlay").string());

  CHECK(build_error_place(k, "invalid Kustomization: json: unknown field \"resourcs\"").line == 3);
  CHECK(build_error_place(k, "loading KV pairs: file sources: [app.properties]: evalsymlink failure on '" + folder +
                                 "/app.properties' : lstat: no such file or directory")
            .line == 8);
  CHECK(build_error_place(k, "nothing selected by ConfigMap.[noVer].[noGrp]/nope.[noNs]").line == 12);

  auto in_file = build_error_place(k, "no resource matches strategic merge patch \"Deployment.v1.apps/webx.[noNs]\": "
                                      "no matches for Id Deployment.v1.apps/webx.[noNs]");
  CHECK(in_file.file == display_path((fs::path(t.path) / "overlay/patch.yaml").string()));
  CHECK(in_file.line == 4);
  CHECK(in_file.column == 9);
  // A name holding dots, in a namespace; the patch written inline in the kustomization.
  auto in_line = build_error_place(k, "no resource matches strategic merge patch \"Deployment.v1.apps/app.v2.prod\"");
  CHECK(in_line.file == display_path(k));
  CHECK(in_line.line == 22);
  // A remote resource: its URL is no "https:" key.
  std::ofstream(fs::path(t.path) / "remote/kustomization.yaml") << "resources:\n  - ../base\n"
                                                                   "  - https://example.com/org/repo//base?ref=v1\n";
  CHECK(build_error_place((fs::path(t.path) / "remote/kustomization.yaml").string(),
                          "accumulating resources from 'https://example.com/org/repo//base?ref=v1': Get ...")
            .line == 3);
  // Nothing it names is written there: the file, no line.
  auto none = build_error_place(k, "something else went wrong");
  CHECK(none.file == display_path(k));
  CHECK(none.line == 0);
}
