"""Trading evaluation of the five asset agents: train on the training split, evaluate walk-forward on validation and test.

For each asset class the factory's agent (PPO stocks/REITs, SAC crypto, A2C ETFs, DQN currencies) trains on one
representative symbol's training period (the book's default split: to 2017, validation 2018, test 2019 to 2020-01-16),
for each seed; its deterministic policy is then run through a TradingEnv over the validation and the test period, and
the daily returns are scored (Sharpe with a block-bootstrap 95% interval, maximum drawdown, turnover). The same periods
are backtested for buy-and-hold, the moving-average crossover and time-series momentum on the same symbol with the
same costs. On the synthetic mean-reverting market the PPO agent's test Sharpe is compared with the oracle's.
The oracle there is executed under the same rules as the agent (decided at a close, filled at the next close, same
costs), so the fraction compares the agent with the best frictionless one-step rule under identical execution.
Run: python bench/trading_eval.py [--seeds 0 1 2 3 4] [--steps 50000] [--out outputs/trading_eval.csv]
"""

from __future__ import annotations

import argparse, time, warnings
from pathlib import Path

import numpy as np
import pandas as pd

from wealtharena import metrics
from wealtharena.agents import RLAgentFactory
from wealtharena.backtest import backtest, fill_price_table
from wealtharena.baselines import STRATEGIES
from wealtharena.data import load_market, to_wide
from wealtharena.execution import CostModel
from wealtharena.splits import default_split
from wealtharena.synthetic import ornstein_uhlenbeck
from wealtharena.trading_env import TradingEnv

SYMBOLS = {"stocks": "AAPL", "crypto": "BTCUSD", "etf": "SPY", "currencies": "EURUSD", "reits": "FF49_RLEST"}
COSTS = CostModel(1, 2)  # what the training environments charge; baselines are charged the same here


def iterations(agent, steps: int) -> int:
    per = agent.args.num_envs * agent.args.num_steps if agent.algorithm in ("ppo", "a2c") else agent.args.num_envs
    return max(1, steps // per)


def run_policy(agent, prices: pd.DataFrame, start, end) -> tuple[pd.Series, np.ndarray]:
    "Daily returns and traded fractions of the agent's deterministic policy over [start, end]."
    env = TradingEnv(prices=prices, start=start, end=end, action_mode=agent.args.market()["action_mode"], costs=COSTS)
    obs, info = env.reset(seed=0)
    equity, traded, dates, done = [info["equity"]], [], [env.dates[info["t"]]], False
    while not done:
        before = info["equity"]
        obs, reward, terminated, truncated, info = env.step(agent.predict(obs))
        equity.append(info["equity"])
        dates.append(env.dates[info["t"]])
        traded.append(
            info["step_costs"] / COSTS.rate / before
        )  # linear costs only: the traded value is the cost over its rate
        done = terminated or truncated
    returns = pd.Series(equity, index=dates).pct_change().dropna()
    return returns, np.array(traded)


def score(returns, traded=None) -> dict:
    values = np.asarray(returns, dtype=float)
    low, high = metrics.sharpe_ci(values)
    out = {
        "sharpe": metrics.sharpe_ratio(values),
        "sharpe_ci_low": low,
        "sharpe_ci_high": high,
        "max_drawdown": metrics.max_drawdown(values),
        "annual_return": metrics.annual_return(values),
    }
    if traded is not None:
        out["turnover"] = metrics.turnover(traded)
    return out


def baselines(prices: pd.DataFrame, symbol: str, start, end) -> dict[str, dict]:
    "Each baseline as the agents are scored: flat until the period's first bar, where it takes its current position."
    close = to_wide(prices)[[symbol]].dropna()
    fills = fill_price_table(prices, close)
    first = close.loc[start:].index[0]
    out = {}
    for name in ("buy_and_hold", "ma_crossover", "ts_momentum"):
        weights = STRATEGIES[name](close)
        held = weights.ffill().fillna(0.0)
        flat_start = weights.where(
            pd.Series(weights.index > first, index=weights.index), axis=0
        )  # no orders before the period ...
        flat_start.iloc[0] = 0.0
        flat_start.loc[first] = held.loc[first]  # ... then the position the rule holds at its first bar
        if name == "buy_and_hold":
            flat_start.loc[first] = 1.0
        result = backtest(close, flat_start, fill_prices=fills, costs=COSTS)
        window = result.returns.loc[start:end].iloc[1:]  # like the agents: returns from the bar after the first
        out[name] = score(window, result.traded.loc[start:end].iloc[1:])
    return out


def oracle_fraction(seeds, steps: int) -> list[dict]:
    "The stocks agent (PPO) on a synthetic mean-reverting market: its test Sharpe against the oracle's, same timing and costs."
    market = ornstein_uhlenbeck(n_steps=3000, theta=0.05, sigma=0.01, seed=123).assign(asset_class="stocks")
    dates = market["date"]
    train_end, test_start = dates.iloc[1800], dates.iloc[2400]
    close = to_wide(market)
    oracle = backtest(close, market.set_index("date")[["oracle"]].rename(columns={"oracle": "OU"}), costs=COSTS)
    oracle_stats = score(oracle.returns.loc[test_start:], oracle.traded.loc[test_start:])
    rows = [
        {
            "asset_class": "synthetic_ou",
            "symbol": "OU",
            "period": "test",
            "strategy": "oracle",
            "seed": None,
            **oracle_stats,
        }
    ]
    for seed in seeds:
        agent = RLAgentFactory.create_agent("stocks")
        agent.train(
            market[market["date"] <= train_end],
            num_iterations=iterations(agent, steps),
            seed=seed,
            tensorboard=False,
            progress=False,
            eval_episodes=1,
            reward="pnl",
        )
        returns, traded = run_policy(agent, market, test_start, None)
        stats = score(returns, traded)
        rows.append(
            {
                "asset_class": "synthetic_ou",
                "symbol": "OU",
                "period": "test",
                "strategy": "agent_ppo",
                "seed": seed,
                "oracle_fraction": stats["sharpe"] / oracle_stats["sharpe"],
                **stats,
            }
        )
        print(
            f"synthetic OU ppo seed {seed}: Sharpe {stats['sharpe']:.2f} vs oracle {oracle_stats['sharpe']:.2f}",
            flush=True,
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--steps", type=int, default=50_000, help="training steps per agent and seed (SAC: a fifth of it)"
    )
    parser.add_argument("--classes", nargs="+", default=list(SYMBOLS))
    parser.add_argument("--out", type=Path, default=Path("outputs") / "trading_eval.csv")
    parser.add_argument("--baselines-only", action="store_true", help="score only the baselines (and the oracle)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    split = default_split()
    periods = {"validation": split.val, "test": split.test}
    rows = []
    for asset_class in args.classes:
        symbol = SYMBOLS[asset_class]
        prices = load_market(asset_class, symbols=symbol, end=split.test[1])
        train_prices = prices[prices["date"] <= split.train[1]]
        for period, (start, end) in periods.items():
            for name, stats in baselines(prices, symbol, start, end).items():
                rows.append(
                    {
                        "asset_class": asset_class,
                        "symbol": symbol,
                        "period": period,
                        "strategy": name,
                        "seed": None,
                        **stats,
                    }
                )
        for seed in [] if args.baselines_only else args.seeds:
            agent = RLAgentFactory.create_agent(asset_class)
            steps = args.steps // 5 if agent.algorithm == "sac" else args.steps
            started = time.time()
            agent.train(
                train_prices,
                num_iterations=iterations(agent, steps),
                seed=seed,
                tensorboard=False,
                progress=False,
                eval_episodes=1,
            )
            seconds = time.time() - started
            for period, (start, end) in periods.items():
                returns, traded = run_policy(agent, prices, start, end)
                rows.append(
                    {
                        "asset_class": asset_class,
                        "symbol": symbol,
                        "period": period,
                        "strategy": f"agent_{agent.algorithm}",
                        "seed": seed,
                        "train_seconds": seconds,
                        **score(returns, traded),
                    }
                )
            print(
                f"{asset_class:<10} {agent.algorithm} seed {seed}: trained {steps} steps in {seconds:.0f}s", flush=True
            )
    rows += oracle_fraction([] if args.baselines_only else args.seeds, args.steps)
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    agents = table[table["strategy"].str.startswith("agent_")]
    if agents.empty:
        agents = pd.DataFrame(
            columns=table.columns.tolist() + ["sharpe", "sharpe_ci_low", "sharpe_ci_high", "max_drawdown"]
        )
    summary = agents.groupby(["asset_class", "period", "strategy"]).agg(
        seeds_invested=("sharpe", "count"),
        sharpe_mean=("sharpe", "mean"),
        sharpe_min=("sharpe", "min"),
        sharpe_max=("sharpe", "max"),
        ci_low_mean=("sharpe_ci_low", "mean"),
        ci_high_mean=("sharpe_ci_high", "mean"),
        max_drawdown_mean=("max_drawdown", "mean"),
    )
    base = table[table["seed"].isna()].set_index(["asset_class", "period", "strategy"])[
        ["sharpe", "sharpe_ci_low", "sharpe_ci_high", "max_drawdown", "turnover"]
    ]
    pd.set_option("display.width", 200)
    print("\nAgents (over seeds):\n", summary.round(3).to_string())
    print("\nBaselines (same symbol, period and costs):\n", base.round(3).to_string())
    ou = table[table["asset_class"] == "synthetic_ou"]
    print(
        "\nSynthetic mean-reverting market (test part):\n",
        ou.reindex(columns=["strategy", "seed", "sharpe", "sharpe_ci_low", "sharpe_ci_high", "oracle_fraction"])
        .round(3)
        .to_string(index=False),
    )
    print(f"\nfull table: {args.out}")
    return table


if __name__ == "__main__":
    main()
