"""Fit the two things nbdev-export generates in the package to 120 characters.

nbdev wraps a module's `__all__` at 120 characters and then prefixes it with `__all__ = `, and prints
`wealtharena/_modidx.py` at width 140. `make export` runs this after nbdev-export (and the sync test after its own
export), so that every line of the package fits the project's 120 characters with no exemption.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path
from textwrap import TextWrapper

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 120
ALL = re.compile(r"^__all__ = \[.*?\]$", re.S | re.M)


def wrap_all(text: str) -> str:
    "A module's `__all__` rewrapped so that its first line, prefix included, fits WIDTH."
    found = ALL.search(text)
    if not found:
        return text
    names = ast.literal_eval(found.group(0).split("=", 1)[1].strip())
    wrapper = TextWrapper(width=WIDTH, initial_indent="__all__ = ", subsequent_indent=" " * 11, break_long_words=False)
    return text[: found.start()] + "\n".join(wrapper.wrap(str(names))) + text[found.end() :]


def _literal(value, indent: int, lead: int = 0) -> list[str]:
    "Lines of a dict / tuple literal, one entry per line at a fixed indentation; `lead` characters precede it."
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = ["{"]
        for key, item in value.items():
            prefix = f"{pad}    {key!r}: "
            inner = _literal(item, indent + 4, len(prefix))
            lines += [prefix + inner[0], *inner[1:]]
            lines[-1] += ","
        return [*lines, pad + "}"]
    if isinstance(value, tuple) and lead + len(repr(value)) + 1 > WIDTH:
        return ["(", *[f"{pad}    {item!r}," for item in value], pad + ")"]
    return [repr(value)]


def wrap_modidx(text: str) -> str:
    "nbdev's symbol index written one entry per line within WIDTH (nbdev prints it at width 140)."
    header, _, body = text.partition("d = ")
    return header + "d = " + "\n".join(_literal(ast.literal_eval(body), 0)) + "\n"


def wrap_package(root: Path = ROOT) -> list[Path]:
    "Rewrap every module of the package in place; return the files that changed."
    changed = []
    for path in sorted((root / "wealtharena").rglob("*.py")):
        text = path.read_text()
        new = wrap_modidx(text) if path.name == "_modidx.py" else wrap_all(text)
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    wrap_package(args.root)


if __name__ == "__main__":
    main()
