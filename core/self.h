// This kvalidate binary, as caches key what it computed: a rebuilt binary may compute otherwise.
#pragma once

#include <string>

namespace kv {

// "VERSION SIZE.MTIME" of the running executable (/proc/self/exe); the version alone when it cannot be
// read.
std::string self_identity();

}  // namespace kv
