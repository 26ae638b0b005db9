#!/usr/bin/env python3
"""Lists C++ function definitions longer than a limit (default 80 lines), longest first; exit 1 when any.
Counts from the line the signature starts on to the closing brace, lambdas inside included. A light
parser (braces outside strings and comments), made for kvalidate's own style, not for any C++.
  scripts/function-lengths.py [--max N] PATH...   (files or folders; *.cpp and *.h)
"""
import pathlib
import re
import sys

def strip(text):
    """The text with comments, strings and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2); j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)

def functions(path):
    text = strip(path.read_text())
    stack = []          # kinds of open blocks: "ns", "class", "func", "other"
    header_start = 0    # offset where the current header (text since the last ; { }) starts
    found = []
    for i, c in enumerate(text):
        if c == ";" and (not stack or stack[-1][0] in ("ns", "class")):
            header_start = i + 1
        elif c == "{":
            header = text[header_start:i]
            inside_code = any(k[0] == "func" for k in stack)
            if inside_code:
                kind = "other"
            elif re.search(r"\bnamespace\b", header) or re.search(r'extern\s*"', header):
                kind = "ns"
            elif re.search(r"\b(class|struct|union|enum)\b[^()]*$", header):
                kind = "class"
            elif ")" in header and not re.search(r"=\s*$|\[\]\s*=|=\s*\{?$", header.strip()):
                kind = "func"
                start = header_start + len(header) - len(header.lstrip())
                stack.append((kind, text.count("\n", 0, start) + 1, header.strip()))
                header_start = i + 1
                continue
            else:
                kind = "other"
            stack.append((kind, 0, ""))
            header_start = i + 1
        elif c == "}":
            if stack:
                kind, line, header = stack.pop()
                if kind == "func":
                    end = text.count("\n", 0, i) + 1
                    name = re.sub(r"\s+", " ", header.split("(")[0]).split(" ")[-1]
                    found.append((end - line + 1, f"{path}:{line}", name))
            header_start = i + 1
    return found

def main(argv):
    limit = 80
    if argv[:1] == ["--max"]:
        limit, argv = int(argv[1]), argv[2:]
    paths = []
    for a in argv:
        p = pathlib.Path(a)
        paths += sorted(p.rglob("*.cpp")) + sorted(p.rglob("*.h")) if p.is_dir() else [p]
    allf = [f for p in paths for f in functions(p)]
    long_ = sorted((f for f in allf if f[0] > limit), reverse=True)
    for n, where, name in long_:
        print(f"{n:5} {where} {name}")
    top = max(allf, default=(0, "-", "-"))
    print(f"{len(allf)} functions, longest {top[0]} lines ({top[2]} at {top[1]}); {len(long_)} over {limit}")
    return 1 if long_ else 0

sys.exit(main(sys.argv[1:]))
