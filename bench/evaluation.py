"""What the benchmarks share: a result table that a stopped benchmark resumes from (finished rows are not run again;
the CSV is rewritten atomically after every row, so a reader never sees a torn file), and beside it the machines that
wrote its rows (<file>.machine.json): a seed fixes a run's numbers on one machine, but another CPU's kernels round the
last bits differently and a trained policy then ends elsewhere, so bench/reproduce.py compares bit for bit only rows
written on a machine like its own. Running and scoring a policy live in `wealtharena.experiments` (policy_run, score,
collapsed, oracle_score)."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from wealtharena.files import atomic_write


def machine() -> dict:
    "What decides a run's last bits besides the code and the seed: the CPU, the kernels torch and numpy pick, versions."
    import numpy as np
    import torch

    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.is_file() else []  # fmt: skip
    core = getattr(np, "_core", None) or np.core  # numpy 2 renamed numpy.core
    simd = core._multiarray_umath.__cpu_features__
    return {
        "cpu": models[0] if models else platform.processor() or platform.machine(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "numpy_simd": sorted(name for name, found in simd.items() if found),
        **{name: version(name) for name in ("numpy", "pandas", "torch", "gymnasium")},
        "python": platform.python_version(),
    }


def machine_id(description: dict) -> str:
    "A short name for a machine description (equal descriptions, equal names)."
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:12]


def machines_path(path) -> Path:
    "The file that lists the machines which wrote a result file's rows."
    return Path(path).with_name(Path(path).name + ".machine.json")


def written_on(path) -> dict:
    "The machines that wrote a result file's rows, by machine_id ({} if the file does not record them)."
    record = machines_path(path)
    return json.loads(record.read_text()) if record.is_file() else {}


class ResultTable:
    "Rows of a benchmark in a CSV, keyed by some columns; a stopped run resumes after the rows already written."

    def __init__(self, path, key: list[str]):
        self.path, self.key = Path(path), key
        self.rows = pd.read_csv(self.path).to_dict("records") if self.path.is_file() else []

    def done(self, **key) -> bool:
        return any(all(str(row.get(k)) == str(v) for k, v in key.items()) for row in self.rows)

    def add(self, rows: list[dict]) -> None:
        "Append rows and rewrite the file atomically (a temporary file in the same folder, then a rename)."
        self._write(rows, written_on(self.path))

    def replace(self, rows: list[dict]) -> None:
        "Write the table anew with only `rows` (for tables computed whole each time), its machine record too."
        self.rows = []
        self._write(rows, {})

    def _write(self, rows: list[dict], machines: dict) -> None:
        self.rows.extend(rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda temporary: pd.DataFrame(self.rows).to_csv(temporary, index=False))
        here = machine()
        entry = machines.setdefault(machine_id(here), {"machine": here, "rows": 0})
        entry["rows"] += len(rows)
        text = json.dumps(machines, indent=1)
        atomic_write(machines_path(self.path), lambda temporary: Path(temporary).write_text(text))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)
