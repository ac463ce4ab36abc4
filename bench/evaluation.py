"""What the benchmarks share: a result table that a stopped benchmark resumes from (finished rows are not run again;
the CSV is rewritten atomically after every row, so a reader never sees a torn file). Running and scoring a policy
live in `wealtharena.experiments` (policy_run, score, collapsed, oracle_score)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wealtharena.files import atomic_write


class ResultTable:
    "Rows of a benchmark in a CSV, keyed by some columns; a stopped run resumes after the rows already written."

    def __init__(self, path, key: list[str]):
        self.path, self.key = Path(path), key
        self.rows = pd.read_csv(self.path).to_dict("records") if self.path.is_file() else []

    def done(self, **key) -> bool:
        return any(all(str(row.get(k)) == str(v) for k, v in key.items()) for row in self.rows)

    def add(self, rows: list[dict]) -> None:
        "Append rows and rewrite the file atomically (a temporary file in the same folder, then a rename)."
        self.rows.extend(rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda temporary: pd.DataFrame(self.rows).to_csv(temporary, index=False))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)
