// Small text helpers: how far apart two words are, for "did you mean ...?" suggestions; whole numbers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv {

// Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is fewer than `max_distance` edits away (the first of equals),
// else "".
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates,
                         size_t max_distance = 3);

// `s` as a decimal int when it is one entirely ("12"; not "", "1x", " 1" or out of range).
std::optional<int> parse_int(std::string_view s);

}  // namespace kv
