// libFuzzer target for kubeconfig parsing: load_kubeconfig() over arbitrary bytes written to a
// per-process temporary file (it reads paths, as $KUBECONFIG does), with and without a context name,
// plus base64_decode() of the same bytes. Built with -DKV_FUZZ=ON.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/kv-fuzz-kubeconfig-" + std::to_string(getpid()) + ".yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  (void)kv::kube::load_kubeconfig(path);
  (void)kv::kube::load_kubeconfig(path, "kvalidate");
  // A KUBECONFIG list naming the same file twice exercises the merge (first definition wins).
  (void)kv::kube::load_kubeconfig(path + ":" + path, size % 2 ? "" : "x");
  (void)kv::kube::base64_decode(text);
  auto cluster = kv::kube::load_kubeconfig(path);
  if (cluster.ok()) (void)kv::kube::render_kubeconfig(*cluster, "fuzz");
  return 0;
}
