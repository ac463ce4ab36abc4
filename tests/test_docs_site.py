"""The docs site builds offline, every page passes the browser check (maths, sidebar, figures, API) and search works."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_docs, check_docs  # noqa: E402


def test_docs_site_builds_and_passes_the_browser_check():
    site = build_docs.main(["--root", str(ROOT)])
    chapters = sorted(p for p in (ROOT / "nbs").glob("*.ipynb"))
    pages = sorted(site.glob("*.html"))
    assert len(pages) == len(chapters), f"{len(chapters)} notebooks but {len(pages)} pages: {[p.name for p in pages]}"
    with_math = check_docs.pages_with_math(ROOT / "_proc")
    assert {"metrics", "synthetic", "features"} <= with_math
    problems = check_docs.check_site(site, with_math) + check_docs.check_search(site)
    assert not problems, "\n".join(problems)
