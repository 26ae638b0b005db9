#include "core/tool_version.h"

#include <doctest/doctest.h>

using kv::parse_tool_version;

TEST_CASE("parse_tool_version reads each tool's wording") {
  std::string error;
  CHECK(parse_tool_version("helm", "v3.22.0", error) == "v3.22.0");
  CHECK(parse_tool_version("kube-apiserver", "Kubernetes v1.37.2\n", error) == "v1.37.2");
  CHECK(parse_tool_version("etcd", "etcd Version: 3.7.0\nGit SHA: abc\n", error) == "v3.7.0");
  CHECK(parse_tool_version("k3s", "k3s version v1.31.2+k3s1 (abc)\n", error) == "v1.31.2+k3s1");
  CHECK(parse_tool_version("kubectl", R"({"clientVersion":{"gitVersion":"v1.37.1"}})", error) == "v1.37.1");
  CHECK(error.empty());
}

TEST_CASE("parse_tool_version: no version is an error naming the output") {
  std::string error;
  CHECK(parse_tool_version("etcd", "no idea", error).empty());
  CHECK(error == "unexpected output: no idea");
  error.clear();
  CHECK(parse_tool_version("kubectl", "{}", error).empty());
  CHECK(error == "unexpected output of kubectl version");
}
