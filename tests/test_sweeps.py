"Sweeps end to end: a sweep killed and resumed, the same sweep on a real Ray cluster, the results store."

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from wealtharena.experiments import ResultsStore, local_ray_cluster, results, run_notebook

ROOT = Path(__file__).resolve().parents[1]
TINY_SWEEP = ROOT / "nbs" / "experiments" / "sweeps" / "ablation_tiny.yaml"


def cli(*args) -> list:
    return [sys.executable, "-m", "wealtharena.experiments", *map(str, args)]


def finished_runs(database: Path) -> dict:
    "run_id -> recorded_at of the finished runs, read as another process would (an empty dict before the file exists)."
    if not database.is_file():
        return {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        try:
            rows = connection.execute("SELECT run_id, recorded_at FROM runs WHERE status = 'ok'").fetchall()
        except sqlite3.OperationalError:  # the driver has not created the table yet
            return {}
    return dict(rows)


def processes_in(folder: Path) -> list[int]:
    "Processes whose working directory is inside `folder` (the kernels papermill starts run in the run folders)."
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_killed_sweep_resumes_where_it_stopped(tmp_path):
    database = tmp_path / "results.sqlite"
    first = subprocess.Popen(cli("--root", tmp_path, "sweep", TINY_SWEEP), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)  # fmt: skip
    deadline = time.monotonic() + 240
    while len(finished_runs(database)) < 2 and time.monotonic() < deadline:
        assert first.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)  # the driver and its pool, mid-sweep
    first.wait()
    before = finished_runs(database)
    assert 2 <= len(before) < 6, before
    deadline = time.monotonic() + 60
    while processes_in(tmp_path) and time.monotonic() < deadline:  # orphaned kernels notice their parent is gone
        time.sleep(0.5)
    assert not processes_in(tmp_path), "kernels of the killed sweep outlived it"
    done = subprocess.run(cli("--root", tmp_path, "sweep", TINY_SWEEP), capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    after = finished_runs(database)
    assert len(after) == 6
    assert {run: after[run] for run in before} == before  # the finished runs were not run again
    table = results("ablation-tiny", store=database)
    assert sorted(table["overrides"].map(json.dumps)) == ['{"action_mode": "continuous"}'] * 3 + ["{}"] * 3
    assert sorted(table["seed"]) == [0, 0, 1, 1, 2, 2] and set(table["backend"]) == {"local"}


def test_the_same_sweep_on_a_local_ray_cluster(tmp_path):
    with local_ray_cluster(num_cpus=2) as address:
        environment = dict(os.environ, RAY_ADDRESS=address)  # no --backend: the address chooses Ray
        done = subprocess.run(cli("--root", tmp_path, "sweep", TINY_SWEEP), capture_output=True, text=True, cwd=ROOT,
                              env=environment)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    table = results("ablation-tiny", store=tmp_path / "results.sqlite")
    assert len(table) == 6 and set(table["status"]) == {"ok"} and set(table["backend"]) == {"ray"}
    first = table.iloc[0]
    parameters = {key: first[key] for key in ("market", "budget", "overrides")} | {"seed": int(first["seed"])}
    one = run_notebook("ablation", parameters, root=tmp_path / "local")
    assert abs(one["metrics"]["sharpe"] - table.iloc[0]["sharpe"]) < 1e-9  # same seed, same numbers, wherever run


def test_the_store_ingests_the_benchmarks_results(tmp_path):
    done = subprocess.run(cli("--root", tmp_path, "ingest", ROOT / "bench" / "results"), capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with ResultsStore(tmp_path / "results.sqlite") as store:
        summary = store.bench("system_summary")
        on_disk = pd.read_csv(ROOT / "bench" / "results" / "system_summary.csv")
        pd.testing.assert_frame_equal(summary, on_disk, check_dtype=False)
        assert store.ingest_bench(ROOT / "bench" / "results") == {}
    bad = subprocess.run(cli("--root", tmp_path, "sweep", tmp_path / "missing.yaml"), capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.yaml" in bad.stderr
