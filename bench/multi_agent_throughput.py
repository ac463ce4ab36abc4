"""Multi-agent throughput: WealthArenaMultiAgentRLEnv against PortfolioEnv over the same symbols, in one run.

Both environments hold the same symbols (every symbol of the five bundled classes that covers 2018-2019) on the same
business-day calendar at the same costs: the PortfolioEnv reads the multi-agent environment's calendar closes and fills
as its panel, and books each symbol at its class's cost model (AssetCosts), as the multi-agent environment does.
Every agent acts on every step (random actions drawn beforehand, as bench/env_throughput.py does, so that the time is
the environment's). Each round measures every environment once, one after the other; a mode's ratio is taken within a
round (the machine's speed drifts between rounds, much less within one), and the medians over `--rounds` rounds are
reported: of the steps per second and of the ratios.
Targets (issue 8): at least half of PortfolioEnv's rate and at least 10,000 steps per second.
Run: python bench/multi_agent_throughput.py   (writes bench/results/multi_agent_throughput.csv)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import ResultTable  # noqa: E402

from wealtharena.data import load_market  # noqa: E402
from wealtharena.execution import AssetCosts  # noqa: E402
from wealtharena.multi_agent_env import WealthArenaMultiAgentRLEnv  # noqa: E402
from wealtharena.portfolio_env import PortfolioEnv  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "multi_agent_throughput.csv"
CLASSES = ("stocks", "crypto", "etfs", "currencies", "reits")
RANGE = dict(start="2018-01-02", end="2019-12-31")


def calendar_panel(env: WealthArenaMultiAgentRLEnv) -> pd.DataFrame:
    "The multi-agent environment's calendar closes and fills as a tidy panel (for a PortfolioEnv of the same symbols)."
    rows = []
    for j, symbol in enumerate(env.symbols):
        close = env._close[:, j]
        known = np.isfinite(close)
        fill = np.where(np.isfinite(env._fill[:, j]), env._fill[:, j], close)
        rows.append(pd.DataFrame({"date": env.dates[known], "symbol": symbol, "open": fill[known],
                                  "close": close[known]}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def rate(env, actions: list, multi: bool) -> float:
    "Steps per second over `actions`, resetting when an episode ends."
    env.reset(seed=0)
    started = time.perf_counter()
    for action in actions:
        if multi:
            env.step(action)
            if not env.agents:
                env.reset()
        else:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
    return len(actions) / (time.perf_counter() - started)


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps per measurement")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    panels = {c: load_market(c, start="2015-01-01") for c in CLASSES}
    rng = np.random.default_rng(0)
    envs = {}
    for method in ("decentralized", "centralized", "hierarchical"):
        config = dict(RANGE, coordination_method=method, episode_length=252)
        env = WealthArenaMultiAgentRLEnv(config, prices=panels, warmup=600)  # the peer's features warm up on it too
        actions = [{a: env.action_space(a).sample() for a in env.possible_agents} for _ in range(args.steps)]
        envs[f"multi-agent ({method})"] = (env, actions, True)
    reference = envs["multi-agent (decentralized)"][0]
    class_costs = {c: reference.settings[c]["costs"] for c in reference.classes}  # each class's CostModel
    panel = calendar_panel(reference)
    settings = dict(prices=panel, start=RANGE["start"], end=RANGE["end"], window=5, episode_length=252,
                    random_start=True, reward="0.6 * sharpe + 0.3 * pnl - 0.1 * drawdown_penalty")  # fmt: skip
    cost_of = {s: class_costs[c] for s, c in zip(reference.symbols, reference._symbol_classes)}
    order = PortfolioEnv(**settings).symbols  # the peer's own symbol order
    portfolio = PortfolioEnv(**settings, costs=AssetCosts.of([cost_of[s] for s in order]))
    peer_actions = list(rng.uniform(-1, 1, (args.steps, portfolio.action_space.shape[0])).astype(np.float32))
    envs["PortfolioEnv (same symbols)"] = (portfolio, peer_actions, False)
    rates = {name: [] for name in envs}
    for _ in range(args.rounds):
        for name, (env, actions, multi) in envs.items():
            rates[name].append(rate(env, actions, multi))
    median = {name: statistics.median(r) for name, r in rates.items()}
    peer_rates = rates["PortfolioEnv (same symbols)"]
    ratio = {name: statistics.median(a / b for a, b in zip(r, peer_rates)) for name, r in rates.items()}
    rows = []
    print(f"{len(reference.symbols)} symbols, {len(reference.classes)} agents; {args.steps:,} steps x {args.rounds}")
    print(f"{'environment':<32} {'steps/s':>10} {'vs PortfolioEnv':>16}  targets")
    for name, value in median.items():
        targets = ""
        if name.startswith("multi-agent"):
            half, ten = ratio[name] >= 0.5, value >= 10_000
            verdict = lambda ok: "met" if ok else "MISSED"
            targets = f">= 0.5x PortfolioEnv {verdict(half)}; >= 10,000 steps/s {verdict(ten)}"
        print(f"{name:<32} {value:>10,.0f} {ratio[name]:>15.2f}x  {targets}")
        rows.append(dict(environment=name, symbols=len(reference.symbols), steps_per_second=round(value),
                         vs_portfolio_env=round(ratio[name], 3), targets=targets))  # fmt: skip
    table = ResultTable(args.out, ["environment"])
    table.replace(rows)  # a measurement replaces the last one: speeds are of the code as it is now
    return table.frame()


if __name__ == "__main__":
    main()
