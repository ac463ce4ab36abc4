import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("WEALTHARENA_DATA", str(ROOT / "data"))

# The files that take longest, first: `make test` hands whole files to its two workers in collection order
# (--no-loadscope-reorder), so the short files fill in behind the long ones instead of waiting in front of them.
LONGEST_FIRST = (
    "test_sweeps.py",
    "test_docs_site.py",
    "test_experiments.py",
    "test_allocator_cli.py",
    "test_agents.py",
)


def pytest_collection_modifyitems(items):
    "Run the longest test files first (in the order above); every other file after them, as collected."
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))
