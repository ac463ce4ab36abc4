"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which these machines cannot install).

Markdown cells are copied, code cells become ```python blocks followed by their text output; cells marked
`#| hide` are left out, as nbdev does. `--check` exits 1 when README.md differs from what would be written.
"""

from __future__ import annotations

import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_text(index: Path) -> str:
    "The README that `index` renders to."
    parts = ["<!-- Written by tools/make_readme.py from nbs/index.ipynb: edit the notebook, not this file -->\n"]
    for cell in json.loads(index.read_text())["cells"]:
        source = "".join(cell["source"]).strip("\n")
        if cell["cell_type"] == "markdown":
            parts.append(source + "\n")
            continue
        if source.lstrip().startswith("#| hide"):
            continue
        code = "\n".join(l for l in source.splitlines() if not l.startswith("#|"))
        parts.append(f"```python\n{code}\n```\n")
        for out in cell.get("outputs", []):
            text = (
                "".join(out.get("text", []))
                if out.get("output_type") == "stream"
                else "".join(out.get("data", {}).get("text/plain", []))
            )
            if text.strip():
                parts.append(f"```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether README.md is up to date")
    args = parser.parse_args(argv)
    text = readme_text(ROOT / "nbs" / "index.ipynb")
    readme = ROOT / "README.md"
    if args.check:
        if not readme.exists() or readme.read_text() != text:
            print("README.md is out of date with nbs/index.ipynb: run `make readme`")
            return 1
        return 0
    readme.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
