"""Open every page of the built docs site in headless Chromium, with every outside host blocked, and check it.

A page fails when it shows raw maths, has no sidebar, asks for anything outside the site, or (for a chapter)
has no figure, no API block, or source links into more than one module; the search box must offer the right
pages. Exits 1 with one line per problem; prints one line per page otherwise.
"""

from __future__ import annotations

import argparse, functools, http.server, re, shutil, subprocess, sys, tempfile, threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--virtual-time-budget=5000",
]
RAW_MATH = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\sum|\\mathbb|\\operatorname")


class Page(HTMLParser):
    "What the checks need from a rendered page's DOM."

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.katex, self.images, self.sidebar_links = [], [], 0, [], 0
        self.source_links = []  # the [source] links of the API blocks
        self.api_blocks, self.outside, self.in_sidebar = 0, [], 0
        self.after_heading = False  # an API block: an anchored heading, then a def/class signature

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag not in ("br", "img", "hr", "meta", "link", "input"):
            self.stack.append((tag, classes, a.get("id")))
        if "katex" in classes:
            self.katex += 1
        if tag in ("h3", "h4"):
            self.after_heading = "anchored" in classes
        elif tag == "p":
            self.after_heading = False
        if tag == "img":
            self.images.append(a.get("src", ""))
        if a.get("id") == "quarto-sidebar":
            self.in_sidebar = len(self.stack)
        if tag == "a" and self.in_sidebar and "sidebar-link" in classes:
            self.sidebar_links += 1
        if tag == "a" and "/blob/" in (a.get("href") or "") and re.search(r"\.py#L\d+$", a.get("href") or ""):
            self.source_links.append(a["href"])
        for key in ("src", "href"):
            url = a.get(key) or ""
            loads = tag in ("script", "img", "iframe") or (tag == "link" and "stylesheet" in (a.get("rel") or ""))
            if loads and re.match(r"(https?:)?//", url) and not re.match(r"(https?:)?//127\.0\.0\.1", url):
                self.outside.append(url)

    def handle_endtag(self, tag):
        while self.stack:
            top = self.stack.pop()
            if len(self.stack) < self.in_sidebar:
                self.in_sidebar = 0
            if top[0] == tag:
                break

    def handle_data(self, data):
        if self.after_heading and self.stack and self.stack[-1][0] == "span" and "kw" in self.stack[-1][1]:
            if data.strip() in ("def", "class"):
                self.api_blocks += 1
            self.after_heading = False
        inside = {t for t, _, _ in self.stack}
        classes = {c for _, cs, _ in self.stack for c in cs}
        if not inside & {"code", "pre", "script", "style", "annotation"} and "katex" not in classes:
            self.text.append(data)


def serve(folder: Path):
    "Serve `folder` on 127.0.0.1 in a background thread; return the server."

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def dump_dom(chromium: str, url: str, attempts: int = 2) -> str:
    "The page's DOM after its scripts ran; a browser that dies while starting (seen here now and then) gets one retry."
    for _ in range(attempts):
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                capture_output=True,
                text=True,
                timeout=120,
            )
        if done.returncode == 0 and "<html" in done.stdout:
            return done.stdout
    raise RuntimeError(f"chromium failed on {url} ({attempts} attempts): {done.stderr[-500:]}")


def page_problems(site: Path, page: Path, html: str, n_pages: int, chapters_with_math: set[str] | None) -> list[str]:
    "What is wrong with one page, given its DOM after its scripts ran; prints one line about it."
    dom = Page()
    dom.feed(html)
    text = " ".join(dom.text)
    raw = RAW_MATH.search(text)
    chapter = page.name not in ("index.html", "package.html")  # the front page and the package note
    found = []
    if raw:
        found.append(f"raw maths {text[max(0, raw.start() - 30) : raw.end() + 30]!r}")
    if dom.sidebar_links < n_pages:
        found.append(f"sidebar has {dom.sidebar_links} links, expected {n_pages}")
    if dom.outside:
        found.append(f"asks outside hosts for {dom.outside[:3]}")
    if chapter and not [s for s in dom.images if s.startswith("data:") or (site / s.split("#")[0]).is_file()]:
        found.append("no figure")
    if chapter and dom.api_blocks == 0:
        found.append("no API block")
    sources = {link.split("#")[0] for link in dom.source_links}
    if len(sources) > 1:  # a chapter documents one module: links into several mean a symbol was misresolved
        found.append(f"source links into {len(sources)} files: {sorted(s.rsplit('/', 1)[-1] for s in sources)}")
    if chapters_with_math and page.stem in chapters_with_math and dom.katex == 0:
        found.append("maths not rendered by KaTeX")
    print(
        f"{page.name}: {dom.katex} KaTeX formulas, {len(dom.images)} figures, {dom.api_blocks} API blocks, "
        f"{dom.sidebar_links} sidebar links" + (f" -- {'; '.join(found)}" if found else "")
    )
    return [f"{page.name}: {p}" for p in found]


def check_site(site: Path, chapters_with_math: set[str] | None = None) -> list[str]:
    "Problems found on the pages of `site` (an empty list when all is well)."
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return ["chromium not found: install Debian's chromium package (the docs check needs a browser)"]
    pages = sorted(p for p in site.glob("*.html"))
    if not pages:
        return [f"no pages in {site}"]
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with ThreadPoolExecutor(2) as pool:  # two browsers at once: each waits on its page's scripts part of the time
            doms = pool.map(lambda page: dump_dom(chromium, base + page.name), pages)
            return [p for page, html in zip(pages, doms) for p in page_problems(site, page, html, len(pages),
                                                                                chapters_with_math)]  # fmt: skip
    finally:
        server.shutdown()


SEARCH_PROBE = """<!doctype html><html><body><pre id="hits">waiting</pre>
<iframe id="site" src="index.html" style="width:1200px;height:800px"></iframe>
<script>
document.getElementById("site").addEventListener("load", () => {
  const page = document.getElementById("site").contentDocument;
  const input = page.querySelector(".smalldocs-search input");
  if (!input) { document.getElementById("hits").textContent = "no search box"; return; }
  input.value = QUERY;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  setTimeout(() => {
    const hits = [...page.querySelectorAll(".search-result")].map((a) => a.getAttribute("href"));
    document.getElementById("hits").textContent = JSON.stringify(hits);
  }, 1500);
});
</script></body></html>"""


def search_hits(site: Path, query: str) -> list[str] | str:
    "The links the built site's search box offers for `query`, typed into the front page in Chromium."
    import json

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    probe = site / "_search_probe.html"
    probe.write_text(SEARCH_PROBE.replace("QUERY", json.dumps(query)))
    server = serve(site)
    try:
        dom = dump_dom(chromium, f"http://127.0.0.1:{server.server_address[1]}/{probe.name}")
    finally:
        server.shutdown()
        probe.unlink()
    found = re.search(r'<pre id="hits">(.*?)</pre>', dom, re.S)
    text = found.group(1) if found else "no result element"
    try:
        return json.loads(text.replace("&quot;", '"'))
    except ValueError:
        return text


SEARCHES = (("deflated Sharpe", "metrics.html"), ("papermill sweep", "experiments.html"))


def check_search(site: Path) -> list[str]:
    "Problems of the site's search: each query of SEARCHES must offer its page."
    problems = []
    for query, page in SEARCHES:
        hits = search_hits(site, query)
        offered = isinstance(hits, list) and any(hit.split("#")[0].endswith(page) for hit in hits)
        if not offered:
            shown = hits if isinstance(hits, str) else hits[:5]
            problems.append(f"search for {query!r} does not offer {page}: {shown}")
        else:
            print(f"search {query!r}: {len(hits)} results, {page} among them")
    return problems


def pages_with_math(proc: Path) -> set[str]:
    "Stems of the processed notebooks whose markdown holds TeX maths."
    import json

    out = set()
    for nb in proc.glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        if any(c["cell_type"] == "markdown" and re.search(r"\$[^$\n]+\$", "".join(c["source"])) for c in cells):
            out.add(nb.stem)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proc", type=Path, default=Path(__file__).resolve().parents[1] / "_proc")
    args = parser.parse_args(argv)
    problems = check_site(args.proc / "_docs", pages_with_math(args.proc))
    problems += check_search(args.proc / "_docs")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
