// Whole-file reads and atomic writes: the one way kvalidate does each (callers word their own messages).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kv {

// The whole file, or NotFound ("PATH: no such file") / IOError ("PATH: reason"); both exit 2.
Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` with permission bits `mode` (exactly, whatever the umask) through a fresh
// temporary file in the same folder, flushed to disk and renamed into place: a reader sees the old file
// or the new one, never half of one. IOError "PATH: reason" (no temporary file is left behind).
Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode);

// The same for a text given in pieces: `pieces(put)` calls put with each piece in order (a report of
// 100,000 objects is never held whole). A failure of `pieces` (its own, or put's) leaves no file behind.
using PutPiece = std::function<Status(std::string_view piece)>;
using WritePieces = std::function<Status(const PutPiece& put)>;
Status write_file_atomic(const std::string& path, const WritePieces& pieces, unsigned mode);

// 0666 less the process's umask: the mode of an ordinary file the user asked for.
unsigned default_file_mode();

// The names of folder `dir`'s entries that end in `suffix`, without it ("shop" for "shop.json"), sorted;
// empty when the folder cannot be read.
std::vector<std::string> stems_of(const std::string& dir, const std::string& suffix);

// Keeps at most `max_entries` files of folder `dir` whose names `counts` accepts (every name not starting
// with '.' when empty): when there are more, the oldest (by modification time) go until a tenth of the
// limit is free again. While the folder holds no more, only its names are read (a cache pruned after
// each run costs one readdir).
void keep_newest_files(const std::string& dir, size_t max_entries,
                       const std::function<bool(const std::string&)>& counts = {});

}  // namespace kv
