"""What the trading benchmarks share: running an agent's deterministic policy over a period, scoring it, and a
result table that a stopped benchmark resumes from (finished rows are not run again; the CSV is rewritten
atomically after every row, so a reader never sees a torn file)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from wealtharena import metrics
from wealtharena.backtest import backtest


def scaled_costs(costs, multiplier: float):
    "A cost model with every rate multiplied by `multiplier` (the 2x-costs runs)."
    return dataclasses.replace(
        costs, **{f.name: getattr(costs, f.name) * multiplier for f in dataclasses.fields(costs)}
    )


def policy_run(agent, prices, symbol: str, start, end=None, cost_multiplier: float = 1.0) -> dict:
    "Daily returns, traded fractions and actions of the agent's deterministic policy on `symbol` over [start, end]."
    costs = agent.args.market()["costs"].scaled(cost_multiplier)
    env = agent.make_env(prices, symbol=symbol, start=start, end=end, costs=costs)
    obs, info = env.reset(seed=0)
    equity, dates, traded, actions, done = [info["equity"]], [env.dates[info["t"]]], [], [], False
    while not done:
        action = agent.predict(obs)
        actions.append(float(np.asarray(action).reshape(-1)[0]))
        obs, _, terminated, truncated, info = env.step(action)
        equity.append(info["equity"])
        dates.append(env.dates[info["t"]])
        traded.append(info["traded"])
        done = terminated or truncated
    returns = pd.Series(equity, index=dates).pct_change().dropna()
    continuous = env.action_mode == "continuous"
    return {"returns": returns, "traded": np.array(traded), "actions": np.array(actions), "continuous": continuous}


def score(returns, traded=None) -> dict:
    "Sharpe with its 95% block-bootstrap interval, annual return, maximum drawdown and turnover."
    values = np.asarray(returns, dtype=float)
    low, high = metrics.sharpe_ci(values)
    out = {
        "sharpe": metrics.sharpe_ratio(values),
        "sharpe_ci_low": low,
        "sharpe_ci_high": high,
        "annual_return": metrics.annual_return(values),
        "max_drawdown": metrics.max_drawdown(values),
    }
    if traded is not None:
        out["turnover"] = metrics.turnover(traded)
    return out


def collapsed(actions: np.ndarray, continuous: bool, share: float = 0.95) -> bool:
    "Whether a policy chose one action (continuous: one side, or flat) on at least `share` of the steps."
    if len(actions) == 0:
        return True
    kinds = np.sign(np.where(np.abs(actions) < 0.05, 0.0, actions)) if continuous else actions
    return bool(pd.Series(kinds).value_counts(normalize=True).iloc[0] >= share)


def oracle_score(market: pd.DataFrame, symbol: str, start, costs) -> dict:
    "The oracle position of a synthetic market, decided at each close and filled at the next bar, scored from `start`."
    rows = market[market["symbol"] == symbol].set_index("date")
    result = backtest(rows[["close"]].rename(columns={"close": symbol}),
                      rows[["oracle"]].rename(columns={"oracle": symbol}), costs=costs)  # fmt: skip
    return score(result.returns.loc[start:].iloc[1:], result.traded.loc[start:].iloc[1:])


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
        tmp = self.path.with_name(self.path.name + ".tmp")
        pd.DataFrame(self.rows).to_csv(tmp, index=False)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)
