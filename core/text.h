// Small text helpers: how far apart two words are, for "did you mean ...?" suggestions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kv {

// Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is fewer than `max_distance` edits away (the first of equals),
// else "".
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates,
                         size_t max_distance = 3);

}  // namespace kv
