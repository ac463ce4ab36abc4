"""The strategy allocator against its baselines: PPO over the eight strategies' logged returns, 5 seeds.

Replays the paper trader over the packaged allocator config (the 20 bundled stocks, 1995 to 2019) into
bench/results/allocator_run/, trains one allocator per seed on the training years (to the end of 2017), and runs it
and the baselines (equal weights, each strategy alone, online Hedge, minimum variance) over the validation year (2018)
and the test year (2019). Resumable: the replay resumes from its state, and each seed's and the baselines' daily
results are kept in allocator_run/daily/ and reused. Writes bench/results/allocator.csv (the table the allocator
chapter renders) and bench/results/allocator_daily.csv (returns per method and the seed-0 allocator's weights).
Run: python bench/allocator_report.py [--seeds 0 1 2 3 4] [--timesteps 40000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wealtharena.allocator import (  # noqa: E402
    StrategyHistory, allocator_choice, allocator_settings, report_periods, report_table, rules, run_rule,
    switch_rate, train_allocator,
)  # fmt: skip
from wealtharena.files import write_text  # noqa: E402
from wealtharena.paper import PaperTrader, load_allocator_config  # noqa: E402

HERE = Path(__file__).resolve().parent / "results"


def cached(path: Path, compute) -> dict:
    "{period: frame} from `path` (a CSV per period) if there, else computed and written."
    files = {period: path.with_name(f"{path.name}.{period}.csv") for period in ("validation", "test")}
    if all(f.exists() for f in files.values()):
        return {p: pd.read_csv(f, index_col=0, parse_dates=True) for p, f in files.items()}
    frames = compute()
    for period, frame in frames.items():
        write_text(files[period], frame.to_csv())
    return frames


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--timesteps", type=int, default=None, help="PPO steps per seed (default: the config's)")
    parser.add_argument("--root", type=Path, default=HERE / "allocator_run")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    config = load_allocator_config()
    paper, settings, strategies = allocator_settings(config)
    began = time.perf_counter()
    replayed = PaperTrader(config, root=args.root).run()
    print(f"paper trader: {replayed} bars replayed ({time.perf_counter() - began:.0f} s)")
    history = StrategyHistory(args.root, paper, strategies)
    periods, rate = report_periods(history), switch_rate(paper, settings)
    daily = args.root / "daily"
    daily.mkdir(parents=True, exist_ok=True)
    by_period = {period: {} for period in periods}
    for name, choose in rules(history, settings).items():
        frames = cached(daily / name.replace(" ", "_"), lambda: {p: run_rule(history, settings, rate, s, e, choose)
                                                                  for p, (s, e) in periods.items()})  # fmt: skip
        for period, frame in frames.items():
            by_period[period][name] = frame
    for seed in args.seeds:
        def evaluate():
            started = time.perf_counter()
            train_allocator(args.root, config, timesteps=args.timesteps, seed=seed, history=history)
            choose = allocator_choice(args.root)
            print(f"seed {seed}: trained in {time.perf_counter() - started:.0f} s")
            return {p: run_rule(history, settings, rate, s, e, choose) for p, (s, e) in periods.items()}

        frames = cached(daily / f"allocator_seed{seed}", evaluate)
        for period, frame in frames.items():
            by_period[period][f"allocator (PPO, seed {seed})"] = frame
    table = report_table(by_period)
    write_text(args.out / "allocator.csv", table.to_csv(index=False, float_format="%.6g"))
    long = []
    for period, methods in by_period.items():
        returns = pd.DataFrame({name: frame["return"] for name, frame in methods.items()})
        weights = methods[f"allocator (PPO, seed {args.seeds[0]})"][strategies].add_prefix("weight ")
        long.append(returns.join(weights).assign(period=period))
    write_text(args.out / "allocator_daily.csv", pd.concat(long).rename_axis("date").to_csv(float_format="%.8g"))
    shown = table.set_index(["period", "method"])[["sharpe", "sharpe_low", "sharpe_high", "vs_equal", "max_drawdown"]]
    print(shown.round(3).to_string())
    print(f"wrote {args.out / 'allocator.csv'} ({time.perf_counter() - began:.0f} s)")
    return table


if __name__ == "__main__":
    main()
