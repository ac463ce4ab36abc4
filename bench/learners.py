"""Our four learners against Stable-Baselines3, in the same run, on gymnasium's classic-control tasks.

Table "defaults": each library with its own default hyperparameters (SB3: `PPO("MlpPolicy", env)` and so on, on one
environment as its documentation starts), PPO, A2C and DQN on CartPole-v1 and Acrobot-v1 for 100,000 steps, SAC on
Pendulum-v1 for 20,000 steps. Table "same": both libraries with SB3's default hyperparameters (ours set to match), on
CartPole-v1 (SAC: Pendulum-v1), to compare speed at equal settings. Table "same-bf16": SAC as in "same" with its
hidden layers in bfloat16 (`bf16=True`), against SB3 again in the same run. Return: the mean of 10 deterministic
evaluation episodes, the same seeded ten for both libraries; seconds: training only, one torch thread, ours and SB3's
alternating; jobs: the runs timed at once (`--jobs 2`: ours and SB3's side by side on the two cores; `--jobs 1`: each
alone), recorded with each row; repeat: `--repeats N` times each run N times, ours and SB3's alternating, and the
tables show the median seconds (the same seed gives the same return every time, which the summary checks). Table
"crypto": the crypto agent's SAC configuration (agents.yaml) on its market, in environment steps per second.

Run: python bench/learners.py [--tables defaults same same-bf16 crypto] [--seeds 0 1 2] [--jobs 1] [--repeats 1]
     python bench/learners.py --tables same-bf16 --algorithms sac --repeats 3 --jobs 1   (SAC's bfloat16 rows as stored)
     python bench/learners.py --profile ppo     (where the time of our update goes: cProfile's top entries)
A stopped run resumes: rows already in the CSV are not run again.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import ResultTable  # noqa: E402

from wealtharena.agents import RLAgentFactory, a2c, dqn, ppo, sac  # noqa: E402
from wealtharena.agents.common import EVAL_SEED_OFFSET, evaluate  # noqa: E402

QUIET = dict(tensorboard=False, progress=False, eval_episodes=10)
MODULES = {"ppo": ppo, "a2c": a2c, "dqn": dqn, "sac": sac}
CLASSIC = ("CartPole-v1", "Acrobot-v1")
TASKS = {"ppo": CLASSIC, "a2c": CLASSIC, "dqn": CLASSIC, "sac": ("Pendulum-v1",)}
STEPS = {"ppo": 100_000, "a2c": 100_000, "dqn": 100_000, "sac": 20_000}
SB3_DEFAULTS_AS_OURS = {  # SB3's default hyperparameters, in our learners' names
    "ppo": dict(
        num_envs=1,
        num_steps=2048,
        num_minibatches=32,
        update_epochs=10,
        learning_rate=3e-4,
        anneal_lr=False,
        gamma=0.99,
        gae_lambda=0.95,
        bootstrap_truncated=True,  # SB3 values a time limit's last state by the critic
        clip_coef=0.2,
        clip_vloss=False,
        ent_coef=0.0,
        vf_coef=1.0,  # SB3 weighs the mean squared error by vf_coef = 0.5; ours weighs half of it (cleanrl)
        max_grad_norm=0.5,
        norm_adv=True,
        hidden_layers=(64, 64),
    ),
    "a2c": dict(
        num_envs=1,
        num_steps=5,
        learning_rate=7e-4,
        anneal_lr=False,
        gamma=0.99,
        gae_lambda=1.0,
        bootstrap_truncated=True,
        ent_coef=0.0,
        vf_coef=1.0,  # SB3 weighs the mean squared error by vf_coef = 0.5; ours weighs half of it (cleanrl)
        max_grad_norm=0.5,
        rms_alpha=0.99,
        rms_eps=1e-5,
        norm_adv=False,
        hidden_layers=(64, 64),
    ),
    "dqn": dict(
        num_envs=1,
        learning_rate=1e-4,
        buffer_size=1_000_000,
        learning_starts=100,
        batch_size=32,
        tau=1.0,
        gamma=0.99,
        train_frequency=4,
        gradient_steps=1,
        target_network_frequency=10_000,
        exploration_fraction=0.1,
        start_e=1.0,
        end_e=0.05,
        hidden_layers=(64, 64),
        td_loss="huber",  # SB3's DQN regresses with the Huber loss and clips the gradient's norm
        max_grad_norm=10.0,
    ),
    "sac": dict(
        num_envs=1,
        learning_rate=3e-4,
        buffer_size=1_000_000,
        learning_starts=100,
        batch_size=256,
        tau=0.005,
        gamma=0.99,
        train_frequency=1,
        gradient_steps=1,
        policy_frequency=1,
        target_network_frequency=1,
        alpha=1.0,
        autotune=True,
        hidden_layers=(256, 256),
    ),
}


BF16 = ("sac",)  # the learners with a bfloat16 switch: table "same-bf16"
TABLES = ("defaults", "same", "same-bf16", "crypto")


def run_ours(algorithm: str, env_id: str, seed: int, table: str) -> tuple[float, float]:
    "Our learner's evaluation return and training seconds, with the settings of `table`."
    settings = {} if table == "defaults" else dict(SB3_DEFAULTS_AS_OURS[algorithm])
    if table == "same-bf16":
        settings["bf16"] = True
    args = MODULES[algorithm].Args(env_id=env_id, seed=seed, total_timesteps=STEPS[algorithm], **settings, **QUIET)
    result = MODULES[algorithm].train(args)
    return result["eval_mean_return"], result["train_seconds"]


def run_sb3(algorithm: str, env_id: str, seed: int) -> tuple[float, float]:
    "Stable-Baselines3's evaluation return and training seconds, with its default hyperparameters."
    import stable_baselines3 as sb3
    from stable_baselines3.common.env_util import make_vec_env

    model = getattr(sb3, algorithm.upper())(
        "MlpPolicy", make_vec_env(env_id, n_envs=1, seed=seed), seed=seed, device="cpu", verbose=0
    )
    started = time.time()
    model.learn(total_timesteps=STEPS[algorithm])
    seconds = time.time() - started
    policy = lambda obs: model.predict(obs, deterministic=True)[0]  # scored as ours: the same ten seeded episodes
    return float(np.mean(evaluate(policy, env_id, QUIET["eval_episodes"], seed=seed + EVAL_SEED_OFFSET))), seconds


def crypto_speed(seed: int, steps: int = 30_000) -> dict:
    "The crypto agent's SAC configuration on its pooled market: environment steps per second of training."
    agent = RLAgentFactory.create_agent("crypto")
    result = agent.train(total_timesteps=steps, seed=seed, tensorboard=False, progress=False, eval_episodes=1)
    return {
        "steps": result["global_step"],
        "seconds": result["train_seconds"],
        "steps_per_second": result["global_step"] / result["train_seconds"],
    }


def profile(algorithm: str, out: Path) -> None:
    "cProfile of our learner at SB3's settings on CartPole-v1 (20,000 steps): the top entries, the environment's steps."
    torch.set_num_threads(1)
    settings = dict(SB3_DEFAULTS_AS_OURS[algorithm], env_id="CartPole-v1" if algorithm != "sac" else "Pendulum-v1")
    args = MODULES[algorithm].Args(total_timesteps=20_000 if algorithm != "sac" else 3_000, **settings, **QUIET)
    profiler = cProfile.Profile()
    profiler.runcall(MODULES[algorithm].train, args)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as handle:
        stats = pstats.Stats(profiler, stream=handle).sort_stats("tottime")
        stats.print_stats(15)
        stats.sort_stats("cumulative").print_stats(r"\(step\)", 5)  # the environment's steps, outermost first
    print(out.read_text())


def summary(table: pd.DataFrame) -> pd.DataFrame:
    "Per table, algorithm, task and seed: each library's return and median seconds over the repeats, SB3's over ours."
    rows = table[table["table"] != "crypto"] if "table" in table else table
    if rows.empty:
        return rows
    pair = ["table", "algorithm", "env_id", "seed"]
    runs = rows.groupby(pair + ["library"])
    unequal = runs["return"].nunique()
    if (unequal > 1).any():
        drifted = unequal[unequal > 1].index.tolist()
        raise ValueError(f"the same run returned different returns when repeated: {drifted}")
    timed = runs.agg(**{"return": ("return", "first"), "seconds": ("seconds", "median")}).reset_index()
    wide = timed.pivot_table(index=pair, columns="library", values=["return", "seconds"]).reset_index()
    wide.columns = ["_".join(c).strip("_") for c in wide.columns]
    wide["speedup"] = wide["seconds_sb3"] / wide["seconds_ours"]
    if "jobs" in rows:  # how many runs were timed at once (side by side, or alone)
        wide = wide.merge(rows.groupby(pair)["jobs"].max().astype("Int64").reset_index(), on=pair, how="left")
    if "repeat" in rows:  # how many timings each seconds figure is the median of
        wide = wide.merge(runs.size().groupby(pair).min().rename("timings").reset_index(), on=pair, how="left")
    return wide


def learner_table(measured: pd.DataFrame | None, algorithm: str) -> pd.DataFrame:
    "One learner's rows of both tables (the benchmark's table, e.g. from the results store), seed by seed."
    if measured is None or measured.empty:
        return pd.DataFrame()
    rows = summary(measured)
    if rows.empty:
        return rows
    rows = rows[rows["algorithm"] == algorithm].drop(columns="algorithm")
    return rows.rename(
        columns={
            "return_ours": "ours: return",
            "return_sb3": "SB3: return",
            "seconds_ours": "ours: s",
            "seconds_sb3": "SB3: s",
            "speedup": "SB3 time / ours",
            "jobs": "runs timed at once",
            "timings": "seconds: median of",
        }
    )


def run(name: str, algorithm: str, env_id: str, seed: int, library: str, repeat: int = 0) -> dict:
    "One row of a table: a training run of one library, or the crypto agent's speed."
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    key = dict(table=name, algorithm=algorithm, env_id=env_id, seed=seed, library=library, repeat=repeat)
    if name == "crypto":
        return {**key, **crypto_speed(seed)}
    done = run_ours(algorithm, env_id, seed, name) if library == "ours" else run_sb3(algorithm, env_id, seed)
    return {**key, "return": done[0], "seconds": done[1]}


def tasks(tables, algorithms, seeds, repeats: int = 1) -> list[tuple]:
    "Every run of the tables `repeats` times, ours and SB3's of one setting next to each other."
    plan = []
    for repeat in range(repeats):
        for name in tables:
            for seed in seeds:
                if name == "crypto":
                    plan.append(("crypto", "sac", "crypto", seed, "ours", repeat))
                    continue
                for algorithm in algorithms if name != "same-bf16" else [a for a in algorithms if a in BF16]:
                    for env_id in TASKS[algorithm][: 1 if name.startswith("same") else None]:
                        plan += [(name, algorithm, env_id, seed, library, repeat) for library in ("ours", "sb3")]
    return plan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=TABLES)
    parser.add_argument("--algorithms", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes, one core each (2 on this machine)")
    parser.add_argument("--repeats", type=int, default=1, help="time each run this many times (tables: the median)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/learners.csv"))
    parser.add_argument("--profile", choices=list(TASKS), help="profile one learner instead")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    if args.profile:
        return profile(args.profile, args.out.with_name(f"profile_{args.profile}.txt"))
    keys = ["table", "algorithm", "env_id", "seed", "library", "repeat"]
    table = ResultTable(args.out, keys)
    planned = tasks(args.tables, args.algorithms, args.seeds, args.repeats)
    todo = [t for t in planned if not table.done(**dict(zip(keys, t)))]
    print(f"{len(todo)} runs to do", flush=True)
    with ProcessPoolExecutor(args.jobs) as pool:
        for row in pool.map(run, *zip(*todo)) if todo else ():
            row["jobs"] = args.jobs
            table.add([row])
            shown = (
                f"{row['steps_per_second']:,.0f} steps/s"
                if row["table"] == "crypto"
                else f"return {row['return']:8.1f} in {row['seconds']:6.1f}s"
            )
            print(
                f"{row['table']:<8} {row['algorithm']} {row['env_id']:<12} seed {row['seed']} {row['library']:<4} "
                f"(repeat {row['repeat']}): "
                f"{shown}",
                flush=True,
            )
    pd.set_option("display.width", 200)
    print(summary(table.frame()).round(2).to_string(index=False))


if __name__ == "__main__":
    main()
