"""The whole system walk-forward: every coordination mode and simple allocation, folds 2017-2019, 5 seeds.

Each (fold, seed) job is `wealtharena.system.system_job` (the same code as `python -m wealtharena.system`): the five
agents with their full agents.yaml budgets, the PPO and SAC meta-controllers trained on the validation year, and every
strategy run over the test year. A finished job is stored in bench/results/system/ (daily returns and traded value per
strategy as CSV, the rest as JSON) and is not run again: a stopped run resumes. After every job the tables are rebuilt:
bench/results/system_runs.csv (one row per fold, seed and strategy) and bench/results/system_summary.csv (per fold and
strategy, with paired block-bootstrap intervals against 1/N and the fixed weights), which the system chapter renders.
Run: python bench/system_walk_forward.py [--folds 2017 2018 2019] [--seeds 0 1 2 3 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import machine  # noqa: E402

from wealtharena.files import atomic_write  # noqa: E402
from wealtharena.system import load_system_config, summarize_runs, system_job  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
JOBS = RESULTS / "system"


def store(result: dict) -> None:
    "One finished job: returns and traded value per strategy (CSV), the rest (JSON)."
    JOBS.mkdir(parents=True, exist_ok=True)
    stem = f"fold_{result['fold']}_seed_{result['seed']}"
    for field in ("returns", "traded"):
        frame = pd.DataFrame({label: run[field] for label, run in result["strategies"].items()})
        atomic_write(JOBS / f"{stem}_{field}.csv", lambda tmp: frame.to_csv(tmp))
    info = {k: v for k, v in result.items() if k != "strategies"}
    info["interventions"] = {label: run["interventions"] for label, run in result["strategies"].items()}
    info["machine"] = machine()  # the CPU and versions that wrote it (bench/reproduce.py compares only like with like)
    atomic_write(JOBS / f"{stem}.json", lambda tmp: tmp.write_text(json.dumps(info, indent=1, default=str)))


def load_all() -> list[dict]:
    "Every stored job, as `system_job` returned it (returns, traded value and interventions per strategy)."
    results = []
    for path in sorted(JOBS.glob("fold_*_seed_*.json")):
        info = json.loads(path.read_text())
        frames = {f: pd.read_csv(path.with_name(f"{path.stem}_{f}.csv"), index_col=0, parse_dates=True)
                  for f in ("returns", "traded")}  # fmt: skip
        info["strategies"] = {
            label: dict(returns=frames["returns"][label].dropna(), traded=frames["traded"][label].dropna(),
                        interventions=info["interventions"].get(label, []))
            for label in frames["returns"].columns
        }  # fmt: skip
        results.append(info)
    return results


def tables() -> pd.DataFrame:
    "Rebuild system_runs.csv and system_summary.csv from every stored job."
    results = load_all()
    per_run, summary = summarize_runs(results)
    atomic_write(RESULTS / "system_runs.csv", lambda tmp: per_run.to_csv(tmp, index=False))
    atomic_write(RESULTS / "system_summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
    return summary


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, nargs="+", default=[2017, 2018, 2019])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", default="outputs/cache", help="trained agents reused across runs")
    parser.add_argument("--fine-tune-bars", type=int, default=1260, help="as python -m wealtharena.system's")
    args = parser.parse_args(argv)
    system = load_system_config()
    run_dir = RESULTS / "system_run"
    todo = [dict(system=system, fold=f, seed=s, budget=1.0, run_dir=str(run_dir), cache=args.cache, tensorboard=False,
                 fine_tune_bars=args.fine_tune_bars)
            for f in args.folds for s in args.seeds if not (JOBS / f"fold_{f}_seed_{s}.json").is_file()]  # fmt: skip
    print(f"{len(todo)} (fold, seed) jobs to run; {len(args.folds) * len(args.seeds) - len(todo)} already stored")
    context, failed, summary = multiprocessing.get_context("spawn"), [], None
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=context) as pool:
        futures = {pool.submit(system_job, spec): (spec["fold"], spec["seed"]) for spec in todo}
        for future in as_completed(futures):
            fold, seed = futures[future]
            try:
                result = future.result()
            except Exception as err:  # one failed job is reported; the others go on and are stored
                failed.append((fold, seed, f"{type(err).__name__}: {err}"))
                print(f"fold {fold} seed {seed} FAILED: {type(err).__name__}: {err}", flush=True)
                continue
            store(result)
            summary = tables()
            print(f"fold {fold} seed {seed} stored", flush=True)
    summary = tables() if summary is None else summary
    if failed:
        print(f"{len(failed)} job(s) failed and will run again next time: {failed}")
    shown = ["fold", "strategy", "seeds", "sharpe_mean", "sharpe_min", "sharpe_max", "vs_1n", "vs_1n_low", "vs_1n_high",
             "vs_fixed", "vs_fixed_low", "vs_fixed_high", "max_drawdown", "turnover"]  # fmt: skip
    pd.set_option("display.width", 200)
    print(summary[shown].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return summary


if __name__ == "__main__":
    main()
