"""Build the docs site offline: nbdev's processed notebooks rendered by smalldocs, with a local copy of KaTeX.

Readers with Quarto run `nbdev-docs`, which uses the same `nbs/_quarto.yml`. Quarto cannot be installed on
the project's machines, so `make docs` runs this script instead. It calls nbdev's own processing steps
(never `nbdev-proc-nbs`, which would try to download and install Quarto), renames the processed notebooks
to the page names nbdev links to, renders them with smalldocs and makes the site self-contained.
"""

from __future__ import annotations

import argparse
import json, os, re, shutil, subprocess, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wrap_generated import wrap_package  # noqa: E402

KATEX_DIRS = [os.environ.get("KATEX_DIR"), "/usr/share/javascript/katex"]
CDN = re.compile(r"https://cdn\.jsdelivr\.net/npm/katex@[^/]+/dist/")
LOCAL_KATEX = {
    "katex.min.css": "katex.min.css",
    "katex.min.js": "katex.js",
    "contrib/auto-render.min.js": "contrib/auto-render.js",
}


def katex_dir() -> Path:
    "A folder holding KaTeX's files (Debian's libjs-katex, or $KATEX_DIR)."
    for folder in KATEX_DIRS:
        if folder and (Path(folder) / "katex.min.css").exists():
            return Path(folder)
    raise SystemExit("KaTeX not found: install Debian's libjs-katex (apt-get install libjs-katex) or set KATEX_DIR")


def process_notebooks(root: Path) -> Path:
    "nbdev's processing of nbs/ into _proc/, without its attempt to install Quarto."
    os.chdir(root)
    from nbdev.config import get_config
    from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
    from nbdev.serve import proc_nbs
    import nbdev.doclinks

    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    wrap_package(root)  # nbdev just rewrote the symbol index at its own width
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    shutil.rmtree(root / "_proc", ignore_errors=True)
    proc = Path(proc_nbs(cfg.nbs_path, n_workers=0))
    shutil.copy(cfg.nbs_path / "styles.css", proc / "styles.css")
    return proc


def rename_to_output_files(proc: Path) -> dict[str, str]:
    "Rename each processed notebook to its `output-file` stem (the page name nbdev links to); fix links and sidebar."
    renames = {}
    for nb in sorted(proc.glob("*.ipynb")):
        found = re.search(r"output-file: ([\w.-]+)\.html", nb.read_text())
        if found and found.group(1) != nb.stem:
            renames[nb.name] = found.group(1) + ".ipynb"
    for old, new in renames.items():
        (proc / old).rename(proc / new)
    for path in [*proc.glob("*.ipynb"), proc / "sidebar.yml"]:
        text = path.read_text()
        for old, new in renames.items():
            text = text.replace(old, new)
        path.write_text(text)
    return renames


SOURCE_LINK = re.compile(r"\[source\]\((?P<base>[^)]*?/blob/[^/)]+/)(?P<file>[^)#]+)#L(?P<line>\d+)\)")
HEADING = re.compile(r"^#+ (?P<name>[\w.]+)\s*$", re.M)


def _definition_line(source: list[str], name: str) -> int | None:
    "The 1-based line where `name` (a function, a class, or Class.method) is defined in a module's source."
    start = 0
    for part in name.split("."):
        pattern = re.compile(rf"^\s*(async\s+)?(def|class)\s+{re.escape(part)}\b")
        start = next((i for i in range(start, len(source)) if pattern.match(source[i])), None)
        if start is None:
            return None
    return start + 1


def fix_source_links(proc: Path, root: Path) -> int:
    "Point each page's [source] links at its own module (nbdev resolves a short name like `Args` to any module)."
    fixed = 0
    for page in proc.glob("*.ipynb"):
        candidates = (root / "nbs").glob(f"*{page.stem}.ipynb")
        origin = [nb for nb in candidates if re.fullmatch(rf"(\d+_)?{page.stem}", nb.stem)]
        exports = re.search(r"#\| default_exp ([\w.]+)", origin[0].read_text()) if origin else None
        if not exports:
            continue
        module = Path("wealtharena", *exports.group(1).split(".")).with_suffix(".py")
        source = (root / module).read_text().splitlines()
        notebook = json.loads(page.read_text())
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                markdown = output.get("data", {}).get("text/markdown")
                if not markdown:
                    continue
                text = "".join(markdown)
                link, heading = SOURCE_LINK.search(text), HEADING.search(text)
                if not link or not heading or link.group("file") == str(module):
                    continue
                line = _definition_line(source, heading.group("name"))
                if line is None:
                    continue
                text = text[: link.start()] + f"[source]({link.group('base')}{module}#L{line})" + text[link.end() :]
                output["data"]["text/markdown"] = text.splitlines(keepends=True)
                fixed += 1
        page.write_text(json.dumps(notebook, indent=1))
    return fixed


# The sidebar's groups, in reading order; a chapter missing from every group stops the build.
SIDEBAR_GROUPS = {
    "Data and metrics": ["data", "synthetic", "splits", "features", "metrics"],
    "Accounting and rewards": ["execution", "backtest", "baselines", "report", "rewards"],
    "Environments": ["trading_env", "portfolio_env", "vector_env"],
    "Agents": ["agents_common", "ppo", "dqn", "sac", "a2c", "factory"],
    "The multi-agent system": ["multi_agent_env", "fusion", "risk", "meta", "system"],
    "Strategy allocator": ["strategies", "files", "paper", "allocator"],
    "Offline pretraining": ["offline", "cql", "pretraining"],
    "Experiments": ["experiments", "results"],
    "Reference": ["package"],
}


def write_sidebar(proc: Path) -> None:
    "A sidebar grouped by part of the book (the runnable notebooks of nbs/experiments/ are not pages)."
    shutil.rmtree(proc / "experiments", ignore_errors=True)
    pages = {p.stem for p in proc.glob("*.ipynb")} - {"index"}
    grouped = [page for group in SIDEBAR_GROUPS.values() for page in group]
    missing = sorted(pages - set(grouped))
    if missing:
        raise SystemExit(f"tools/build_docs.py: pages {missing} are in no SIDEBAR_GROUPS entry; add them to a group")
    lines = ["website:", "  page-navigation: true", "  sidebar:", "    contents:", "      - index.ipynb"]
    for title, group in SIDEBAR_GROUPS.items():
        present = [page for page in group if page in pages]
        if present:
            lines += [f'      - section: "{title}"', "        contents:"]
            lines += [f"          - {page}.ipynb" for page in present]
    (proc / "sidebar.yml").write_text("\n".join(lines) + "\n")


def make_self_contained(site: Path, doc_url: str) -> None:
    "Serve KaTeX from the site itself and make links into the site relative."
    shutil.copytree(katex_dir(), site / "site_libs" / "katex", symlinks=False, dirs_exist_ok=True)
    prefix = doc_url.rstrip("/") + "/"
    for page in site.glob("*.html"):
        html = page.read_text()
        for cdn_name, local in LOCAL_KATEX.items():
            html = re.sub(CDN.pattern + re.escape(cdn_name), f"site_libs/katex/{local}", html)
        html = html.replace(f'href="{prefix}', 'href="')
        page.write_text(html)


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    root = args.root.resolve()
    proc = process_notebooks(root)
    fix_source_links(proc, root)
    rename_to_output_files(proc)
    write_sidebar(proc)
    smalldocs = Path(sys.executable).with_name("smalldocs")
    subprocess.run(
        [str(smalldocs if smalldocs.exists() else "smalldocs"), "render", str(proc)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import tomllib

    doc_url = tomllib.loads((root / "pyproject.toml").read_text())["project"]["urls"]["Documentation"]
    site = proc / "_docs"
    make_self_contained(site, doc_url)
    pages = sorted(p.name for p in site.glob("*.html"))
    print(f"built {len(pages)} pages into {site}: {', '.join(pages)}")
    return site


if __name__ == "__main__":
    main()
