#!/usr/bin/env python3
"""Prints the folder include graph of kvalidate's sources and fails (exit 1) when a folder includes one
above it in the layer order, or when the folders include each other in a cycle (a mutual pair is the
shortest cycle).

The layer order is the core library's folders as CMakeLists.txt lists them (KV_CORE_DIRS), then cli/.
Every .cpp and .h of a folder counts, tests and fuzz targets included.
  scripts/include-graph.py [SOURCE_DIR]
"""
import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
cmake = (src / "CMakeLists.txt").read_text()
layers = re.search(r"set\(KV_CORE_DIRS ([^)]*)\)", cmake).group(1).split() + ["cli"]
rank = {name: i for i, name in enumerate(layers)}

edges = {}  # (from, to) -> number of #include lines
for folder in layers:
    for path in sorted((src / folder).glob("*")):
        if path.suffix not in (".cpp", ".h"):
            continue
        for m in re.finditer(r'^\s*#\s*include\s+"([a-z_]+)/', path.read_text(), re.M):
            to = m.group(1)
            if to != folder and to in rank:
                edges[(folder, to)] = edges.get((folder, to), 0) + 1

print("layers: " + " < ".join(layers))
for folder in layers:
    outs = sorted((to for (f, to) in edges if f == folder), key=rank.get)
    print(f"{folder:>12} -> " + (", ".join(f"{to} ({edges[(folder, to)]})" for to in outs) if outs else "-"))

problems = []
for (f, to), n in sorted(edges.items()):
    if rank[to] > rank[f]:
        problems.append(f"upward include: {f}/ includes {to}/ ({n} lines)")
    if (to, f) in edges and rank[f] < rank[to]:
        problems.append(f"mutual pair: {f}/ <-> {to}/")

# Cycles of any length: a depth-first search over the folder graph.
graph = {name: [to for (f, to) in edges if f == name] for name in layers}
state = {}
def visit(node, stack):
    state[node] = "open"
    for nxt in graph[node]:
        if state.get(nxt) == "open":
            problems.append("cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
        elif nxt not in state:
            visit(nxt, stack + [nxt])
    state[node] = "done"
for name in layers:
    if name not in state:
        visit(name, [name])

for p in problems:
    print(p)
print(f"{len(edges)} folder edges, " + ("no cycle, no mutual pair, no upward include" if not problems
                                        else f"{len(problems)} problem(s)"))
sys.exit(1 if problems else 0)
