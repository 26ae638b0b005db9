// Whether a file or folder kvalidate reads settings or credentials from can be trusted: as ssh does for
// ~/.ssh and git for safe.directory, it must belong to the user running kvalidate (or root) and must not
// be writable by group or others, or another local user could plant a kubeconfig or a config in it.
#pragma once

#include <string>

#include "core/status.h"

namespace kv {

// Ok when `path` does not exist or is trusted (see above); else InvalidInput (exit 2), one line naming
// `what` ("state folder", "config file"), the path, its owner or mode, and the fix.
Status check_trusted_path(const std::string& path, const std::string& what);

}  // namespace kv
