"""Walk-forward evaluation of the five pooled asset agents against the baselines, on every symbol of every class.

Folds: test years 2017, 2018 and 2019. For a test year Y the agent trains (with its class's default configuration
and budget from agents.yaml) on every symbol's history up to the end of Y-2, is scored on the validation year Y-1
and on the test year Y, and is retrained for every fold and seed. It is scored on each symbol of its class that has
warmed-up features in the period; the baselines (buy and hold, time-series momentum, moving-average crossover) run
on the same symbol, period and costs, starting flat at the period's first bar like the agent. The class level is
the 1/N portfolio of the class's symbols (the mean of their daily returns) for the agent and for each baseline, so
"1/N of the class" is the buy-and-hold row of the class level. Costs: the baselines chapter's model per class
(wealtharena.baselines.DEFAULT_COSTS), and the same run scored at twice those costs.

Run: python bench/trading_eval.py [--seeds 0 1 2 3 4] [--jobs 2] [--out bench/results/walk_forward.csv]
A stopped run resumes: (class, fold, seed) runs already in the CSV are not run again.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import ResultTable  # noqa: E402

from wealtharena.agents import RLAgentFactory  # noqa: E402
from wealtharena.experiments import collapsed, policy_run, score  # noqa: E402
from wealtharena.backtest import backtest, fill_price_table  # noqa: E402
from wealtharena.baselines import DEFAULT_COSTS, STRATEGIES  # noqa: E402
from wealtharena.data import ASSET_CLASSES, load_market, to_wide  # noqa: E402

TEST_YEARS = (2017, 2018, 2019)
COST_MULTIPLIERS = (1.0, 2.0)
BASELINES = ("buy_and_hold", "ts_momentum", "ma_crossover")


def fold_dates(test_year: int) -> dict:
    "Training end, validation year and test year of a fold."
    return {
        "train_end": f"{test_year - 2}-12-31",
        "validation": (f"{test_year - 1}-01-01", f"{test_year - 1}-12-31"),
        "test": (f"{test_year}-01-01", f"{test_year}-12-31"),
    }


def baseline_returns(prices: pd.DataFrame, symbol: str, name: str, start, end, costs) -> tuple[pd.Series, pd.Series]:
    "Daily returns and traded fractions of a baseline on one symbol: flat until the period's first bar, as agents are."
    close = to_wide(prices[prices["symbol"] == symbol])[[symbol]].dropna()
    fills = fill_price_table(prices[prices["symbol"] == symbol], close)
    first = close.loc[start:].index[0]
    weights = STRATEGIES[name](close)
    held = weights.ffill().fillna(0.0)
    flat_start = weights.where(pd.Series(weights.index > first, index=weights.index), axis=0)
    flat_start.iloc[0] = 0.0
    flat_start.loc[first] = 1.0 if name == "buy_and_hold" else held.loc[first]
    result = backtest(close, flat_start, fill_prices=fills, costs=costs)
    return result.returns.loc[start:end].iloc[1:], result.traded.loc[start:end].iloc[1:]


def run_agent(asset_class: str, test_year: int, seed: int) -> list[dict]:
    "Train one fold's agent and score it on every usable symbol, period and cost level, with the class's 1/N rows."
    warnings.filterwarnings("ignore")
    dates = fold_dates(test_year)
    prices = load_market(asset_class, end=dates["test"][1])
    agent = RLAgentFactory.create_agent(asset_class)
    started = time.time()
    try:
        agent.train(
            prices[prices["date"] <= dates["train_end"]], seed=seed, tensorboard=False, progress=False, eval_episodes=1
        )
    except ValueError as err:  # the class has too little history before this fold (crypto before 2016)
        return [
            {
                "asset_class": asset_class,
                "fold": test_year,
                "seed": seed,
                "period": "train",
                "symbol": "all",
                "strategy": "agent",
                "skipped": str(err)[:300],
            }
        ]
    seconds, rows = time.time() - started, []
    for period in ("validation", "test"):
        start, end = dates[period]
        for multiplier in COST_MULTIPLIERS:
            series = {}
            for symbol in sorted(prices["symbol"].unique()):
                try:
                    done = policy_run(agent, prices, symbol, start, end, multiplier)
                except ValueError as err:  # no warmed-up bar in the period (a symbol that starts late or ends early)
                    rows.append(
                        {
                            "asset_class": asset_class,
                            "fold": test_year,
                            "seed": seed,
                            "period": period,
                            "symbol": symbol,
                            "strategy": "agent",
                            "cost_multiplier": multiplier,
                            "skipped": str(err)[:200],
                        }
                    )
                    continue
                series[symbol] = done["returns"]
                rows.append(
                    {
                        "asset_class": asset_class,
                        "fold": test_year,
                        "seed": seed,
                        "period": period,
                        "symbol": symbol,
                        "strategy": "agent",
                        "cost_multiplier": multiplier,
                        "train_seconds": seconds,
                        "collapsed": collapsed(done["actions"], done["continuous"]),
                        **score(done["returns"], done["traded"]),
                    }
                )
            if series:
                class_returns = pd.DataFrame(series).fillna(0.0).mean(axis=1)
                rows.append(
                    {
                        "asset_class": asset_class,
                        "fold": test_year,
                        "seed": seed,
                        "period": period,
                        "symbol": "1/N of class",
                        "strategy": "agent",
                        "cost_multiplier": multiplier,
                        "symbols": len(series),
                        **score(class_returns),
                    }
                )
    return rows


def run_baselines(asset_class: str, test_year: int) -> list[dict]:
    "The baselines of one fold on every symbol the agent is scored on, and their class-level 1/N rows."
    warnings.filterwarnings("ignore")
    dates = fold_dates(test_year)
    prices = load_market(asset_class, end=dates["test"][1])
    rows = []
    for period in ("validation", "test"):
        start, end = dates[period]
        for multiplier in COST_MULTIPLIERS:
            costs = DEFAULT_COSTS[asset_class].scaled(multiplier)
            for name in BASELINES:
                series = {}
                for symbol in sorted(prices["symbol"].unique()):
                    in_period = prices[(prices["symbol"] == symbol) & (prices["date"] >= start)]
                    if len(in_period) < 20:
                        continue
                    returns, traded = baseline_returns(prices, symbol, name, start, end, costs)
                    series[symbol] = returns
                    rows.append(
                        {
                            "asset_class": asset_class,
                            "fold": test_year,
                            "seed": -1,
                            "period": period,
                            "symbol": symbol,
                            "strategy": name,
                            "cost_multiplier": multiplier,
                            **score(returns, traded),
                        }
                    )
                class_returns = pd.DataFrame(series).fillna(0.0).mean(axis=1)
                rows.append(
                    {
                        "asset_class": asset_class,
                        "fold": test_year,
                        "seed": -1,
                        "period": period,
                        "symbol": "1/N of class",
                        "strategy": name,
                        "cost_multiplier": multiplier,
                        "symbols": len(series),
                        **score(class_returns),
                    }
                )
    return rows


def run(asset_class: str, test_year: int, seed: int) -> list[dict]:
    return run_baselines(asset_class, test_year) if seed < 0 else run_agent(asset_class, test_year, seed)


def summary(table: pd.DataFrame, cost_multiplier: float = 1.0) -> pd.DataFrame:
    "Class-level test Sharpe (mean over folds and seeds) of the agent and each baseline, intervals, drawdown, turnover."
    test = table[(table["period"] == "test") & (table["cost_multiplier"] == cost_multiplier)]
    classes = test[test["symbol"] == "1/N of class"]
    out = classes.groupby(["asset_class", "strategy"]).agg(
        runs=("sharpe", "size"),
        sharpe=("sharpe", "mean"),
        ci_low=("sharpe_ci_low", "mean"),
        ci_high=("sharpe_ci_high", "mean"),
        max_drawdown=("max_drawdown", "mean"),
    )
    symbols = test[test["symbol"] != "1/N of class"]  # a skipped symbol has no turnover; one never traded has 0
    out["turnover"] = symbols.groupby(["asset_class", "strategy"])["turnover"].mean()  # per symbol, a year
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--classes", nargs="+", default=list(ASSET_CLASSES))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one torch thread each)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/walk_forward.csv"))
    args = parser.parse_args(argv)
    table = ResultTable(args.out, ["asset_class", "fold", "seed"])
    plan = [(c, y, s) for c in args.classes for y in TEST_YEARS for s in [-1, *args.seeds]]
    todo = [t for t in plan if not table.done(asset_class=t[0], fold=t[1], seed=t[2])]
    print(f"{len(todo)} runs to do ({len(plan) - len(todo)} already in {args.out})", flush=True)
    with ProcessPoolExecutor(args.jobs) as pool:
        for task, rows in zip(todo, pool.map(run, *zip(*todo))) if todo else ():
            table.add(rows)
            print(
                f"{task[0]:<10} fold {task[1]} {'baselines' if task[2] < 0 else f'seed {task[2]}'}: {len(rows)} rows",
                flush=True,
            )
    pd.set_option("display.width", 200)
    print(summary(table.frame()).round(3).to_string())


if __name__ == "__main__":
    main()
