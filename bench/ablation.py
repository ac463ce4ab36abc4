"""Ablation of the stocks agent's changes: what each does alone, removed from the defaults, and all together.

Markets: five symbols each of a synthetic mean-reverting (Ornstein-Uhlenbeck) and a regime-switching market, whose
oracle position is known, and a zero-drift GBM with no edge (the rows run on five seeds); the agent
trains on the first 60% of the days and is scored on the last 20%, against the oracle with the same timing and costs
(the 20% between are the validation days of the variant that chooses its networks on them, `KEPT`).
The default trains five policies (seeds 5s to 5s + 4) and acts on their mean action probabilities; `ONE_POLICY`
is the same with one policy (the default before), and every other variant was measured with one policy.
Real data: the twenty stocks, trained to 2015 and scored on 2016, years before the first walk-forward test year
(2017), against buy-and-hold. Nothing here looks at a test year of the walk-forward evaluation.

Run: python bench/ablation.py [--seeds 0 1 2 3 4] [--jobs 2] [--out bench/results/ablation.csv]
A stopped run resumes: rows already in the CSV are not run again.
python bench/ablation.py --references writes bench/results/causal_references.csv (seconds): on each synthetic market
the oracle's test Sharpe beside causal rules' that know the generator (on the regime market also a filter that stands
aside when unsure, its threshold chosen on the training days): what a causal policy can reach.
python bench/ablation.py --rewards writes bench/results/reward_alignment.csv (a minute): on each synthetic market's
training days, the mean episode reward of scripted policies (oracle, causal rule, always long, flat) under each reward
formula, with each weighted term's part: which policy a formula prefers.
python bench/ablation.py --long writes bench/results/ablation_long.csv (resumable, about ten minutes): the default on
the three synthetic markets made 10,000 days long (6,000 training days, 2,000 scored), seeds 0-9: is the shortfall
the length of the markets? And on the regime market with four times the training budget (about 12 more minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import ResultTable  # noqa: E402

from wealtharena.agents import RLAgentFactory  # noqa: E402
from wealtharena.data import load_market  # noqa: E402
from wealtharena.experiments import (  # noqa: E402
    collapsed,
    market_panel,
    oracle_score,
    policy_run,
    positions_reward,
    score,
    stood_aside_as_zero,
)

N_DAYS, SYMBOLS = 3000, 5
LONG_DAYS = 10_000  # --long: the same markets (same generators and market seeds), longer
LONG_VARIANTS = {"4x budget": {"total_timesteps": 1_600_000, "ensemble": 1}}  # --long: one policy, more training
EARLIER_REWARD = "0.6 * sharpe + 0.3 * pnl - 0.1 * drawdown_penalty"  # the default reward before the turnover price
DEFAULT_REWARD = f"{EARLIER_REWARD} - 0.3 * turnover_penalty"  # agents.yaml's since the rows below chose it
BEFORE = {
    "legacy_reward": True,
    "normalize_obs": False,
    "features": "classic",
    "window": 10,
    "symbol": "first",
    "total_timesteps": 50_000,
    "action_mode": "discrete",
    "num_steps": 128,
    "reward": EARLIER_REWARD,
}
UNPRICED = {"reward": EARLIER_REWARD}  # the default before the turnover price
CONTINUOUS = {"action_mode": "continuous", **UNPRICED}  # before discrete actions; the one-change rows start here
VARIANTS = {
    "default": {},
    "no turnover price (earlier default)": UNPRICED,
    "continuous actions (earlier default)": CONTINUOUS,
    "legacy reward (continuous)": {**CONTINUOUS, "legacy_reward": True},
    "no normalisation (continuous)": {**CONTINUOUS, "normalize_obs": False},
    "classic features (continuous)": {**CONTINUOUS, "features": "classic"},
    "zzr features (no volatility) (continuous)": {**CONTINUOUS, "features": "zzr"},
    "window 20 (continuous)": {**CONTINUOUS, "window": 20},
    "one symbol (continuous)": {**CONTINUOUS, "symbol": "first"},
    "quarter budget (continuous)": {**CONTINUOUS, "total_timesteps": 100_000},
    "no entropy bonus (continuous)": {**CONTINUOUS, "ent_coef": 0.0},
    "before (all off)": BEFORE,
}
TURNOVER = {  # does a price on trading itself stop the agent trading noise (the GBM market) without losing the edge?
    f"turnover penalty {w}": {"reward": f"{EARLIER_REWARD} - {w} * turnover_penalty"} for w in (0.1, 0.2)
}  # the 0.3 price is the default
VARIANTS.update(TURNOVER)
PRICED = {"reward": DEFAULT_REWARD}
EARLIER_DEFAULT = "entropy bonus 0.01 (earlier default)"  # the default before the ten-seed choice below
VARIANTS[EARLIER_DEFAULT] = PRICED
ON_TURNOVER = {  # the earlier default (0.3 price) with one more change each: does any reach 0.8 on every seed?
    "turnover 0.3, 2x budget": {**PRICED, "total_timesteps": 800_000},
    "turnover 0.3, zzr features (no volatility)": {**PRICED, "features": "zzr"},
    "turnover 0.3, window 20": {**PRICED, "window": 20},
}
VARIANTS.update(ON_TURNOVER)
ALIGNED_REWARD = "0.6 * sharpe + 0.3 * pnl - 0.01 * drawdown_penalty - 0.1 * turnover_penalty"
ALIGNED_REWARD_2 = "0.6 * sharpe + 0.3 * pnl - 0.02 * drawdown_penalty - 0.15 * turnover_penalty"
ALIGNED = {  # the default's terms repriced so that the oracle's expected reward is above flat's (--rewards)
    "reward ranking the oracle first (drawdown 0.01, turnover 0.1)": {"reward": ALIGNED_REWARD},
    "reward ranking the oracle first (drawdown 0.02, turnover 0.15)": {"reward": ALIGNED_REWARD_2},
}
VARIANTS.update(ALIGNED)
QUIET_ALIGNED = "reward ranking the oracle first (drawdown 0.02, turnover 0.15), no entropy bonus"
VARIANTS[QUIET_ALIGNED] = {"reward": ALIGNED_REWARD_2, "ent_coef": 0.0}  # the two best changes of five seeds together
KEPT = "networks chosen on the validation days (keep_best)"  # the default, ending with its best validation networks
VARIANTS[KEPT] = {"val_every": 20_000, "keep_best": True, "ent_coef": 0.0}
LONG_ONLY = "long only (Sell goes flat)"  # the default with one change: once in the market, it can still stand aside
VARIANTS[LONG_ONLY] = {"short_selling": False, "ent_coef": 0.0}
ONE_POLICY = "one policy (earlier default)"  # the default before the ensemble of five policies (chosen below)
VARIANTS[ONE_POLICY] = {"ensemble": 1, "ent_coef": 0.0}
# agents.yaml's entropy bonus and single policy when the rows were measured: every variant but "default" pins them
# (unless it sets its own)
EARLIER_ENT_COEF = 0.01
VARIANTS = {name: overrides if name == "default" else {"ent_coef": EARLIER_ENT_COEF, "ensemble": 1, **overrides}
            for name, overrides in VARIANTS.items()}  # fmt: skip
# the default was chosen among these on ten seeds (five of a discrete agent do not rank variants): "default" is
# agents.yaml, without the entropy bonus since this choice (the rows measured as "turnover 0.3, no entropy bonus")
CANDIDATES = ("default", ONE_POLICY, EARLIER_DEFAULT, list(ALIGNED)[1], QUIET_ALIGNED)
CANDIDATE_SEEDS = range(10)


def filter_positions(
    close: pd.Series, mus=(0.0008, -0.0015), sigmas=(0.008, 0.02), stay=(0.99, 0.97), threshold: float = 0.0
) -> np.ndarray:
    "Hamilton's filter with the generator's true parameters: sign of E[r], flat while |E[r]| <= threshold * sd[r]."
    mus, sigmas = np.asarray(mus), np.asarray(sigmas)
    transition = np.array([[stay[0], 1 - stay[0]], [1 - stay[1], stay[1]]])
    belief, positions = np.array([0.5, 0.5]), []
    for ret in np.log(close).diff().fillna(0.0).to_numpy():
        belief = (belief @ transition) * np.exp(-0.5 * ((ret - mus) / sigmas) ** 2) / sigmas
        belief /= belief.sum()
        predicted = belief @ transition  # the next bar's regime probabilities
        mean = predicted @ mus
        spread = np.sqrt(predicted @ (sigmas**2 + mus**2) - mean**2)
        positions.append(np.sign(mean) if abs(mean) > threshold * spread else 0.0)
    return np.array(positions)


def mean_reversion_positions(close: pd.Series) -> np.ndarray:
    "The causal rule on the mean-reverting market: the oracle's sign(m - x_t) with m the running mean of the log price."
    log_price = np.log(close.to_numpy())
    return np.sign(pd.Series(log_price).expanding().mean().to_numpy() - log_price)


CAUSAL_RULES = {  # each synthetic market's oracle rule, made causal: what the oracle does with what a policy knows
    "ou": ("running-mean reversion", mean_reversion_positions),
    "regime": ("Hamilton's filter, true parameters", filter_positions),
}
THRESHOLDS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1)  # the flat-when-unsure filter's candidates
UNSURE_RULE = "Hamilton's filter, flat when unsure (threshold chosen on the training days)"


def causal_references(out: Path) -> pd.DataFrame:
    "Per synthetic market and symbol: the oracle's and the causal rules' test Sharpe, same timing and costs."
    costs = RLAgentFactory.create_agent("stocks").args.market()["costs"]
    rows = []
    for market_name, (rule, positions) in CAUSAL_RULES.items():
        prices = market_panel(market_name, N_DAYS, SYMBOLS)
        dates = np.sort(prices["date"].unique())
        train_end, score_start = dates[int(0.6 * N_DAYS)], dates[int(0.8 * N_DAYS)]
        symbols = sorted(prices["symbol"].unique())
        bars = {symbol: prices[prices["symbol"] == symbol] for symbol in symbols}
        rules = {rule: {symbol: positions(bars[symbol]["close"]) for symbol in symbols}}
        if market_name == "regime":  # standing aside when the filter is unsure trades the mean for a lower variance
            training_sharpe = {}
            for threshold in THRESHOLDS:  # chosen by the mean Sharpe over the symbols on the training days only
                held = {symbol: filter_positions(bars[symbol]["close"], threshold=threshold) for symbol in symbols}
                training_sharpe[threshold] = np.mean([
                    oracle_score(bars[s].assign(oracle=held[s]).loc[lambda f: f["date"] <= train_end], s, dates[1],
                                 costs)["sharpe"] for s in symbols])  # fmt: skip
            chosen = max(THRESHOLDS, key=training_sharpe.get)
            rules[UNSURE_RULE] = {s: filter_positions(bars[s]["close"], threshold=chosen) for s in symbols}
        for name, held in rules.items():
            for symbol in symbols:
                rows.append({"market": market_name, "symbol": symbol, "rule": name,
                             "threshold": chosen if name == UNSURE_RULE else np.nan,
                             "oracle_sharpe": oracle_score(prices, symbol, score_start, costs)["sharpe"],
                             "rule_sharpe": oracle_score(bars[symbol].assign(oracle=held[symbol]), symbol, score_start,
                                                         costs)["sharpe"]})  # fmt: skip
    table = ResultTable(out, ["market", "symbol", "rule"])
    table.replace(rows)  # computed whole each time (no training): the markets, costs and formulas as they are now
    return table.frame()


REWARD_FORMULAS = {"P&L only": "pnl", "differential Sharpe only": "sharpe", "earlier default": EARLIER_REWARD,
                   "default": DEFAULT_REWARD, "drawdown 0.01, turnover 0.1": ALIGNED_REWARD,
                   "drawdown 0.02, turnover 0.15": ALIGNED_REWARD_2}  # fmt: skip


def scripted_policies(market_name: str, bars: pd.DataFrame) -> dict[str, pd.Series]:
    "The policies a reward is checked on, as target positions per date: oracle, causal rule, always long, flat."
    close = bars.set_index("date")["close"]
    policies = {"always long": close * 0.0 + 1.0, "flat": close * 0.0}
    if market_name in CAUSAL_RULES:
        rule, positions = CAUSAL_RULES[market_name]
        policies = {"oracle": bars.set_index("date")["oracle"], rule: pd.Series(positions(close), close.index),
                    **policies}  # fmt: skip
    else:  # no edge: trading on a coin flip each day is what an agent that learns noise does
        coin = np.random.default_rng(0).choice([-1.0, 1.0], len(close))
        policies["a coin flip each day"] = pd.Series(coin, close.index)
    return policies


def reward_alignment(out: Path, episodes: int = 20) -> pd.DataFrame:
    "Per synthetic market, scripted policy and reward formula: the mean episode reward on the training days."
    settings = RLAgentFactory.create_agent("stocks").args.market()
    market = {key: settings[key] for key in ("features", "window", "costs")}
    rows = []
    for market_name in ("ou", "regime", "gbm"):
        prices = market_panel(market_name, N_DAYS, SYMBOLS)
        train_end = np.sort(prices["date"].unique())[int(0.6 * N_DAYS)]
        for symbol, bars in prices.groupby("symbol"):
            for policy, positions in scripted_policies(market_name, bars).items():
                for label, formula in REWARD_FORMULAS.items():
                    parts = positions_reward(prices, symbol, positions, formula, train_end, episodes, **market)
                    rows.append({"market": market_name, "symbol": symbol, "policy": policy, "formula": label,
                                 "reward_formula": formula, **parts})  # fmt: skip
    table = ResultTable(out, ["market", "symbol", "policy", "formula"])
    table.replace(rows)  # computed whole each time (no training): the markets, costs and formulas as they are now
    return table.frame()


def run(market_name: str, variant: str, seed: int, n_days: int = N_DAYS) -> list[dict]:
    "Train the stocks agent with one variant on one market and seed; score it per symbol of the scoring period."
    warnings.filterwarnings("ignore")
    if market_name == "real":
        prices, train_end, score_start, score_end = (
            load_market("stocks", end="2016-12-31"),
            "2015-12-31",
            "2016-01-01",
            "2016-12-31",
        )
    else:
        prices = market_panel(market_name, n_days, SYMBOLS)
        dates = np.sort(prices["date"].unique())
        train_end, score_start, score_end = dates[int(0.6 * n_days)], dates[int(0.8 * n_days)], None
    symbols = sorted(prices["symbol"].unique())
    overrides = dict({**VARIANTS, **LONG_VARIANTS}[variant])
    if overrides.get("symbol") == "first":
        overrides["symbol"] = symbols[0]
    training = prices[prices["date"] <= train_end]
    if overrides.get("keep_best"):  # the days between the training and the scoring days choose the networks
        if market_name == "real":
            raise ValueError(f"{variant}: the real-data rows have no days between training and scoring to validate on")
        validation_days = dates[(dates > train_end) & (dates < score_start)]
        training = prices[prices["date"] < score_start]  # the training range still ends at train_end
        day = lambda date: str(pd.Timestamp(date).date())
        overrides.update(end=day(train_end), val_start=day(validation_days[0]), val_end=day(validation_days[-1]))
    agent = RLAgentFactory.create_agent("stocks")
    started = time.time()
    agent.train(training, **overrides, seed=seed, tensorboard=False, progress=False, eval_episodes=1)
    seconds = time.time() - started
    rows = []
    for symbol in symbols:
        done = policy_run(agent, prices, symbol, score_start, score_end)
        row = {
            "market": market_name,
            "variant": variant,
            "seed": seed,
            **({"days": n_days} if n_days != N_DAYS else {}),
            "symbol": symbol,
            "train_seconds": seconds,
            "collapsed": collapsed(done["actions"], done["continuous"]),
            **score(done["returns"], done["traded"]),
        }
        if market_name == "real":
            close = prices[prices["symbol"] == symbol].set_index("date")["close"].loc[score_start:score_end]
            row["reference_sharpe"] = score(close.pct_change().dropna())["sharpe"]  # buy and hold
        elif market_name == "gbm":  # no edge: the best position is flat, and there is no oracle to compare with
            row["reference_sharpe"] = np.nan
        else:
            costs = agent.args.market()["costs"]
            row["reference_sharpe"] = oracle_score(prices, symbol, score_start, costs)["sharpe"]
            if market_name == "regime":  # the oracle knows the hidden regime; the filter infers it causally
                rows_ = prices[prices["symbol"] == symbol].assign(oracle=lambda f: filter_positions(f["close"]))
                row["filter_sharpe"] = oracle_score(rows_, symbol, score_start, costs)["sharpe"]
        rows.append(row)
    return rows


REAL_SEEDS = {
    "default": 5,
    EARLIER_DEFAULT: 5,
    "no turnover price (earlier default)": 5,
    "turnover penalty 0.1": 5,
    "continuous actions (earlier default)": 2,
    **dict.fromkeys(ALIGNED, 5),
    LONG_ONLY: 5,
}


def tasks(seeds) -> list[tuple[str, str, int]]:
    "Defaults, prices, priced variants: five seeds (synthetic), others three (real: REAL_SEEDS); candidates ten."
    plan = [
        (m, v, s)
        for m in ("ou", "regime", "gbm")
        for v in (
            "default",
            EARLIER_DEFAULT,
            "no turnover price (earlier default)",
            "continuous actions (earlier default)",
        )
        for s in seeds
    ]
    plan += [(m, v, s) for m in ("ou", "regime", "gbm") for v in TURNOVER for s in seeds]
    plan += [(m, v, s) for m in ("ou", "regime", "gbm") for v in ON_TURNOVER for s in seeds]
    plan += [(m, v, s) for m in ("ou", "regime", "gbm") for v in ALIGNED for s in seeds]
    plan += [(m, LONG_ONLY, s) for m in ("ou", "regime", "gbm") for s in seeds]
    plan += [(m, KEPT, s) for m in ("ou", "regime", "gbm") for s in seeds]
    plan += [(m, v, s) for m in ("ou", "regime") for v in VARIANTS if v not in [p[1] for p in plan] for s in seeds[:3]]
    plan += [("real", v, s) for v in VARIANTS if v != KEPT for s in seeds[: REAL_SEEDS.get(v, 1)]]
    plan += [(m, v, s) for m in ("ou", "regime", "gbm", "real") for v in CANDIDATES for s in CANDIDATE_SEEDS
             if (m, v, s) not in plan]  # fmt: skip
    return plan


def long_tasks() -> list[tuple[str, str, int]]:
    "The one-policy default on the synthetic markets at `LONG_DAYS`, and 4x its budget on the regime market; ten seeds."
    return [(m, ONE_POLICY, s) for m in ("ou", "regime", "gbm") for s in CANDIDATE_SEEDS] + [
        ("regime", "4x budget", s) for s in CANDIDATE_SEEDS
    ]


def seed_scores(table: pd.DataFrame) -> pd.DataFrame:
    "Per market, variant and seed: means over the symbols, and the agent's fraction of the reference's Sharpe."
    per_seed = stood_aside_as_zero(table).groupby(["market", "variant", "seed"]).agg(
        sharpe=("sharpe", "mean"),
        reference=("reference_sharpe", "mean"),
        turnover=("turnover", "mean"),
        collapsed=("collapsed", "mean"),
    )
    per_seed["fraction"] = per_seed["sharpe"] / per_seed["reference"]
    return per_seed


def summary(table: pd.DataFrame) -> pd.DataFrame:
    "Per market and variant: mean Sharpe, the reference's (oracle or buy and hold), their ratio per seed, collapse."
    return (
        seed_scores(table)
        .groupby(["market", "variant"])
        .agg(
            seeds=("sharpe", "size"),
            sharpe=("sharpe", "mean"),
            reference=("reference", "mean"),
            fraction_mean=("fraction", "mean"),
            fraction_min=("fraction", "min"),
            turnover=("turnover", "mean"),
            collapsed=("collapsed", "mean"),
        )
    )


def candidates_table(table: pd.DataFrame, names=CANDIDATES) -> pd.DataFrame:
    "Variants run on the candidates' ten seeds (by default the candidates), in the order of `CHOICE_RULE`."
    runs = table[table["variant"].isin(names) & table["seed"].isin(CANDIDATE_SEEDS)]
    per_seed = seed_scores(runs).reorder_levels(["variant", "market", "seed"])
    fraction = per_seed["fraction"].unstack("market")
    chosen = pd.DataFrame({
        "seeds": fraction["ou"].groupby("variant").size(),
        "ou and regime runs at 0.8": (fraction[["ou", "regime"]] >= 0.8).groupby("variant").sum().sum(axis=1),
        **{f"{m}: fraction (mean)": fraction[m].groupby("variant").mean() for m in ("ou", "regime", "real")},
        **{f"{m}: fraction (worst seed)": fraction[m].groupby("variant").min() for m in ("ou", "regime")},
        "gbm: turnover": per_seed.xs("gbm", level="market")["turnover"].groupby("variant").mean(),
    })  # fmt: skip
    chosen["worse market: fraction (mean)"] = chosen[["ou: fraction (mean)", "regime: fraction (mean)"]].min(axis=1)
    reference = chosen.loc[EARLIER_DEFAULT]  # the default when the rule was set
    chosen["eligible"] = (chosen["gbm: turnover"] <= 1.5 * reference["gbm: turnover"]) & (
        chosen["real: fraction (mean)"] >= reference["real: fraction (mean)"] - 0.05
    )
    order = ["eligible", "ou and regime runs at 0.8", "worse market: fraction (mean)"]
    return chosen.sort_values(order, ascending=False)


CHOICE_RULE = (
    "the most ou and regime runs at 0.8 of the oracle, ties broken by the worse market's mean fraction, among the "
    "candidates that trade at most 1.5 times the earlier default's turnover on GBM and are at most 0.05 below its "
    "fraction of buy and hold on the real stocks"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one torch thread each)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/ablation.csv"))
    parser.add_argument("--references", action="store_true", help="write the causal rules' references and stop")
    parser.add_argument("--rewards", action="store_true", help="write which scripted policy each reward prefers, stop")
    parser.add_argument("--long", action="store_true", help=f"the default on {LONG_DAYS:,}-day markets (and 4x budget)")
    args = parser.parse_args(argv)
    if args.references:
        references = causal_references(args.out.with_name("causal_references.csv"))
        print(references.groupby(["market", "rule"])[["oracle_sharpe", "rule_sharpe"]].mean().round(3).to_string())
        return references
    if args.rewards:
        alignment = reward_alignment(args.out.with_name("reward_alignment.csv"))
        print(alignment.pivot_table("reward", ["market", "policy"], "formula").round(1).to_string())
        return alignment
    out = args.out.with_name("ablation_long.csv") if args.long else args.out
    planned = long_tasks() if args.long else tasks(args.seeds)
    table = ResultTable(out, ["market", "variant", "seed"])
    todo = [t for t in planned if not table.done(market=t[0], variant=t[1], seed=t[2])]
    print(f"{len(todo)} runs to do ({len(planned) - len(todo)} already in {out})", flush=True)
    days = [LONG_DAYS if args.long else N_DAYS] * len(todo)
    with ProcessPoolExecutor(args.jobs) as pool:
        for task, rows in zip(todo, pool.map(run, *zip(*todo), days)) if todo else ():
            table.add(rows)
            print(
                f"{task[0]:<7} {task[1]:<20} seed {task[2]}: Sharpe {np.mean([r['sharpe'] for r in rows]):.2f} "
                f"(reference {np.mean([r['reference_sharpe'] for r in rows]):.2f})",
                flush=True,
            )
    pd.set_option("display.width", 200)
    print(summary(table.frame()).round(3).to_string())


if __name__ == "__main__":
    main()
