#include "controlplane/start_template.h"

#include <doctest/doctest.h>

#include "kube/kubeconfig.h"

namespace kv::controlplane {

TEST_CASE("etcd_delete_body: one key, or a prefix as the range up to its successor") {
  CHECK(etcd_delete_body("/registry/x", false) == R"({"key":")" + kube::base64_encode("/registry/x") + R"("})");
  CHECK(etcd_delete_body("/registry/leases/kube-system/apiserver-", true) ==
        R"({"key":")" + kube::base64_encode("/registry/leases/kube-system/apiserver-") + R"(","range_end":")" +
            kube::base64_encode("/registry/leases/kube-system/apiserver.") + R"("})");
}

}  // namespace kv::controlplane
