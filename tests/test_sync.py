"""The notebooks are the source: the package, the README and the notebooks' cleanliness must follow from them."""

import shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = (".venv/", "_proc/", "_docs/", "outputs/", "data/.cache/")


def project_files() -> list[str]:
    "Files git tracks plus untracked ones it does not ignore."
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [f for f in listed if f and not f.startswith(SKIP) and (ROOT / f).is_file()]


def test_export_and_clean_change_nothing(tmp_path):
    files = project_files()
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, tmp_path / f)
    code = (
        "import sys; sys.path.insert(0, 'tools'); from wrap_generated import wrap_package; from pathlib import Path; "
        "from nbdev.doclinks import nbdev_export; from nbdev.clean import nbdev_clean; "
        "nbdev_export(); wrap_package(Path('.')); nbdev_clean()"
    )  # what `make export` runs
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True)
    changed = [f for f in files if (tmp_path / f).read_bytes() != (ROOT / f).read_bytes()]
    made = sorted(
        str(p.relative_to(tmp_path))
        for p in (tmp_path / "wealtharena").rglob("*.py")
        if str(p.relative_to(tmp_path)) not in files
    )
    assert not changed, (
        f"nbdev-export / nbdev-clean would change {changed}: edit the notebooks, run `make export`, commit both"
    )
    assert not made, f"nbdev-export would write modules that are not committed: {made}"


def test_readme_follows_index_notebook():
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_readme.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_ruff_passes_and_package_lines_fit_120():
    "ruff (120 characters, unused imports) on everything; every line of the exported package fits 120 characters."
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    long = []
    for path in sorted((ROOT / "wealtharena").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if len(line) > 120:
                long.append(f"{path.relative_to(ROOT)}:{number} ({len(line)} characters)")
    assert not long, f"lines over 120 characters (edit the notebooks, then export): {long}"
