"""Environment throughput: WealthArena's environments against gym-anytrading's stocks-v0, in one run.

Every environment is built with `gymnasium.make` (or `make_vec`), so each pays gymnasium's wrappers, and is
stepped with random actions, resetting when an episode ends. Each measurement is repeated `--rounds` times,
alternating between environments, and the median is reported. Run: python bench/env_throughput.py
"""

from __future__ import annotations

import argparse, statistics, time, warnings

import gymnasium as gym
import numpy as np

import wealtharena.portfolio_env  # noqa: F401  (registers wealtharena/Portfolio-v0)
import wealtharena.trading_env  # noqa: F401  (registers wealtharena/Trading-v0)
import wealtharena.vector_env  # noqa: F401  (registers wealtharena/BatchedTrading-v0)
from wealtharena.execution import CostModel

TARGETS = {
    "TradingEnv (discrete)": ("ratio", 1.0),
    "PortfolioEnv (20 assets)": ("rate", 25_000),
    "BatchedTradingEnv (B=1024)": ("rate", 5_000_000),
}


def steps_per_second(env, actions, vector: bool = False) -> float:
    "Steps (asset-steps for a vector env) per second over `actions`."
    env.reset(seed=0)
    started = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if not vector and (terminated or truncated):
            env.reset()
    elapsed = time.perf_counter() - started
    width = env.num_envs if vector else 1
    return len(actions) * width / elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="steps per measurement of the single environments")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import gym_anytrading  # noqa: F401  (registers stocks-v0)

    rng = np.random.default_rng(0)
    envs = {
        "gym-anytrading stocks-v0": (gym.make("stocks-v0"), rng.integers(0, 2, args.steps).tolist(), False),
        "TradingEnv (discrete)": (
            gym.make(
                "wealtharena/Trading-v0", asset_class="stocks", symbol="AAPL", costs=CostModel(1, 2), reward="pnl"
            ),
            rng.integers(0, 3, args.steps).tolist(),
            False,
        ),
        "TradingEnv (continuous)": (
            gym.make(
                "wealtharena/Trading-v0",
                asset_class="stocks",
                symbol="AAPL",
                action_mode="continuous",
                costs=CostModel(1, 2),
            ),
            list(rng.uniform(-1, 1, (args.steps, 1)).astype(np.float32)),
            False,
        ),
        "PortfolioEnv (20 assets)": (
            gym.make("wealtharena/Portfolio-v0", asset_class="stocks", start="2005-01-01", costs=CostModel(1, 2)),
            list(rng.uniform(-1, 1, (args.steps // 5, 21)).astype(np.float32)),
            False,
        ),
        "BatchedTradingEnv (B=1024)": (
            gym.make_vec(
                "wealtharena/BatchedTrading-v0",
                num_envs=1024,
                vectorization_mode="vector_entry_point",
                asset_class="stocks",
                symbol="AAPL",
                costs=CostModel(1, 2),
                episode_length=2000,
            ),
            list(rng.integers(0, 3, (300, 1024))),
            True,
        ),
    }
    rates = {name: [] for name in envs}
    for _ in range(args.rounds):
        for name, (env, actions, vector) in envs.items():
            rates[name].append(steps_per_second(env, actions, vector))
    median = {name: statistics.median(r) for name, r in rates.items()}
    peer = median["gym-anytrading stocks-v0"]
    print(f"{'environment':<28} {'steps/s':>14} {'vs gym-anytrading':>18} {'target':>28}")
    for name, rate in median.items():
        unit = "asset-steps/s" if "Batched" in name else "steps/s"
        target = ""
        if name in TARGETS:
            kind, value = TARGETS[name]
            met = rate / peer >= value if kind == "ratio" else rate >= value
            target = (f">= {value:.1f}x gym-anytrading" if kind == "ratio" else f">= {value:,.0f} {unit}") + (
                " met" if met else " MISSED"
            )
        print(f"{name:<28} {rate:>14,.0f} {rate / peer:>17.2f}x {target:>28}")
    return median


if __name__ == "__main__":
    main()
