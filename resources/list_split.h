// A large List document cut into its items by lines, so that each item is parsed alone (a tree of one
// item at a time) instead of one tree of the whole List (yaml-cpp spends ~500 bytes per node: a List of
// 100,000 ConfigMaps would take ~600 MB).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv {

struct ListItemText {
  std::string text;    // the item's lines, its "- " made spaces: same lines, same columns, parsed alone
  int first_line = 0;  // 1-based line of its "- " in the document
};

struct ListSplit {
  std::string header;  // the document with the items' lines blanked ("items:" left with no value)
  std::vector<ListItemText> items;
};

// Cuts `doc` when it is a block-style mapping at column 0 whose top-level `items:` holds a block
// sequence; nullopt otherwise (a flow or JSON List, tabs, a sequence not at one indentation, `items:`
// twice, anything unusual). The cut follows indentation only: the caller parses every item and the header
// and falls back to parsing the whole document when any of them fails or holds an anchor, alias or tag
// that could reach across items (see load_text()).
std::optional<ListSplit> split_block_list(std::string_view doc);

}  // namespace kv
