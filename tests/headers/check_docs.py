#!/usr/bin/env python3
"""check_docs.py - fails when a public function of a header loses its
documentation.

Every FCAT_API function must follow a Doxygen comment (/** ... */) that
says @return (unless it returns void) and names each of its parameters in
an @param line ("@param[in] start, end ..." names two). Declarations that
follow one another with no blank line or comment between them share the
comment above the first (a group of accessors).

Scope: with no --section and no --function, every function is checked.
Otherwise only the functions in a named section (the title between the
"/* ---- */" rulers, e.g. "Catalog") or whose name matches a --function
glob are checked.

    check_docs.py HEADER [--section TITLE]... [--function GLOB]...

Exits 0 when every checked function is documented, 1 naming each one that
is not, 2 when the header cannot be read or a selector matches nothing.
"""
import argparse
import fnmatch
import re
import sys

RULER = re.compile(r"^/\* -{8,} \*/$")
TITLE = re.compile(r"^/\*\s*(.*?)\s*\*/$")
PARAM = re.compile(r"@param(?:\[[a-z, ]+\])?\s+(\w+(?:\s*,\s*\w+)*)")


def declarations(lines):
    """Yields (section, first_line, text) for each FCAT_API declaration."""
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if RULER.match(line) and i + 2 < len(lines) and RULER.match(lines[i + 2].strip()):
            m = TITLE.match(lines[i + 1].strip())
            section = m.group(1) if m else ""
            i += 3
            continue
        if line.startswith("FCAT_API "):
            start = i
            text = line
            while not text.rstrip().endswith(";") and i + 1 < len(lines):
                i += 1
                text += " " + lines[i].strip()
            yield section, start, text
        i += 1


def comment_before(lines, start, decl_lines):
    """The /** */ comment that documents the declaration at `start`: the one
    ending on the line above, or that of the group it continues."""
    j = start - 1
    while j >= 0 and j in decl_lines:  # a group: walk up to its first member
        j = decl_lines[j] - 1
    if j < 0 or not lines[j].rstrip().endswith("*/"):
        return None
    end = j
    while j >= 0 and "/*" not in lines[j]:
        j -= 1
    if j < 0 or "/**" not in lines[j]:
        return None
    return "\n".join(lines[j:end + 1])


def parse(text):
    """(return type, name, [parameter names]) of a declaration."""
    m = re.match(r"FCAT_API\s+(.*?)\b(fcat_\w+)\s*\((.*)\)\s*;$", text)
    if not m:
        return None
    ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
    names = []
    if params and params != "void":
        for p in params.split(","):
            p = re.sub(r"\[[^\]]*\]\s*$", "", p.strip())  # char out[65]
            names.append(re.findall(r"\w+", p)[-1])
    return ret, name, names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("header")
    ap.add_argument("--section", action="append", default=[])
    ap.add_argument("--function", action="append", default=[])
    args = ap.parse_args()
    try:
        with open(args.header, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        print(f"check_docs: {e}", file=sys.stderr)
        return 2

    decls = list(declarations(lines))
    # line index of each declaration's last line -> its first line
    decl_lines = {}
    for _, start, text in decls:
        end = start
        while not lines[end].rstrip().endswith(";"):
            end += 1
        decl_lines[end] = start

    everything = not args.section and not args.function
    seen_sections = {s for s, _, _ in decls}
    problems, used_sections, used_globs, checked = [], set(), set(), 0
    for section, start, text in decls:
        parsed = parse(text)
        if not parsed:
            problems.append(f"{args.header}:{start + 1}: cannot parse: {text}")
            continue
        ret, name, params = parsed
        globs = [g for g in args.function if fnmatch.fnmatchcase(name, g)]
        if not everything and section not in args.section and not globs:
            continue
        used_globs.update(globs)
        if section in args.section:
            used_sections.add(section)
        checked += 1
        where = f"{args.header}:{start + 1}: {name}"
        doc = comment_before(lines, start, decl_lines)
        if doc is None:
            problems.append(f"{where}: no /** */ comment")
            continue
        if ret != "void" and "@return" not in doc:
            problems.append(f"{where}: no @return")
        named = set()
        for m in PARAM.finditer(doc):
            named.update(n.strip() for n in m.group(1).split(","))
        missing = [p for p in params if p not in named]
        if missing:
            problems.append(f"{where}: no @param for {', '.join(missing)}")

    unknown = [s for s in args.section if s not in seen_sections]
    unused = [g for g in args.function if g not in used_globs]
    for s in unknown:
        print(f"check_docs: no section titled '{s}' in {args.header}", file=sys.stderr)
    for g in unused:
        print(f"check_docs: --function {g} matches no function", file=sys.stderr)
    if unknown or unused:
        return 2
    for p in problems:
        print(p)
    print(f"check_docs: {checked} functions checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
