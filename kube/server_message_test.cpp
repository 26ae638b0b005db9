#include "kube/server_message.h"

#include <doctest/doctest.h>

using kv::kube::plain_server_message;

TEST_CASE("plain_server_message: value dumps read as the value the user wrote") {
  CHECK(plain_server_message("expected string, got &value.valueUnstructured{Value:1}") ==
        "expected string, got number 1");
  CHECK(plain_server_message(".spec.x: expected string, got &value.valueUnstructured{Value:true}") ==
        ".spec.x: expected string, got boolean true");
  CHECK(plain_server_message("expected string, got &value.valueUnstructured{Value:1.5}") ==
        "expected string, got number 1.5");
  CHECK(plain_server_message("expected string, got &value.valueUnstructured{Value:map[string]interface {}{\"a\":\"b}\"}}") ==
        "expected string, got a map");
  CHECK(plain_server_message("expected map, got &value.valueUnstructured{Value:[]interface {}{\"a\"}}") ==
        "expected map, got a list");
  CHECK(plain_server_message("expected string, got &value.valueUnstructured{Value:interface {}(nil)}") ==
        "expected string, got null");
  CHECK(plain_server_message("got value.valueReflect{Value:int64(3)} here") == "got number 3 here");
}

TEST_CASE("plain_server_message: decoder messages name the field and the types in the user's terms") {
  CHECK(plain_server_message(".spec.containers[name=\"a\"].args: expected list, got &{--verbose}") ==
        ".spec.containers[name=\"a\"].args: expected list, got the scalar \"--verbose\"");
  CHECK(plain_server_message(".spec.nodeSelector: expected map, got &{[disktype=ssd]}") ==
        ".spec.nodeSelector: expected map, got a list [disktype=ssd]");
  CHECK(plain_server_message(".spec.args: expected list, got &{map[a:b]}") == ".spec.args: expected list, got a map [a:b]");
  CHECK(plain_server_message("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
                             "type int32") == "spec.replicas: expected integer, got string");
  CHECK(plain_server_message("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations "
                             "of type string") == "metadata.annotations: expected string, got number");
  CHECK(plain_server_message("json: cannot unmarshal object into Go value of type []v1.Container") ==
        "expected list, got object");
}

TEST_CASE("plain_server_message: quantities and conversion prefixes") {
  CHECK(plain_server_message("unable to convert unstructured object to apps/v1, Kind=Deployment: quantities must "
                             "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") ==
        "must be a quantity (e.g. 500m, 1.5, 128Mi, 2Gi)");
  CHECK(plain_server_message("failed to convert new object (default/cache; apps/v1, Kind=Deployment) to proper "
                             "version: unable to convert unstructured object to apps/v1, Kind=Deployment: x") == "x");
}

TEST_CASE("plain_server_message leaves ordinary messages alone") {
  const char* plain = "Invalid value: \"front end!\": a valid label must be an empty string or consist of ...";
  CHECK(plain_server_message(plain) == plain);
  CHECK(plain_server_message("the value. is {odd}") == "the value. is {odd}");
  CHECK(plain_server_message("value.broken{Value:1") == "value.broken{Value:1");
  CHECK(kv::kube::describe_go_type("map[string]string") == "map");
  CHECK(kv::kube::describe_go_type("*resource.Quantity") == "quantity");
  CHECK(kv::kube::describe_go_type("intstr.IntOrString") == "integer or string");
}
