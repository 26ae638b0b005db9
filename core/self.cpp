#include "core/self.h"

#include <sys/stat.h>

#include "build_info.h"

namespace kv {

std::string self_identity() {
  std::string id = std::string(KV_VERSION);
  struct stat st {};
  if (::stat("/proc/self/exe", &st) == 0)
    id += " " + std::to_string(st.st_size) + "." + std::to_string(st.st_mtim.tv_sec) + "." +
          std::to_string(st.st_mtim.tv_nsec);
  return id;
}

}  // namespace kv
