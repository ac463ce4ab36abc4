"""Do the result files hold what the code in the repository produces? Re-run a few of their rows and compare.

Training is deterministic for a seed, but chaotic in the last bits: a change of floating-point order anywhere in the
environments, rewards or learners (an exact 0.0 where numpy's mean left 1e-17, say) sends a trained policy elsewhere,
and a result file written before such a change no longer describes the code. This script re-runs rows of each file
with the current code (the same functions the benchmark scripts call) and compares them with what the file holds:
- ablation.csv (bench/ablation.py): a (market, variant, seed), every symbol's test Sharpe; ablation_long.csv
  (bench/ablation.py --long) the same on its 10,000-day markets;
- walk_forward.csv (bench/trading_eval.py): a (class, fold, seed) agent, every symbol's test Sharpe at 1x costs;
- learners.csv (bench/learners.py): one of our learners' evaluation return;
- cql_run (bench/cql_pretraining.py): the currency agent trained from scratch, its last validation return;
- system/ (bench/system_walk_forward.py, with --system: about 3 minutes): one fold and seed, every strategy's summed
  daily returns.
`--random K` adds K rows of the ablation and the walk-forward drawn with `--seed`.
Bits are compared only where they can agree: a file's rows are checked against the machines that wrote them
(<file>.machine.json, written by bench/evaluation.py's ResultTable: CPU, torch's and numpy's kernels, versions). On
another machine, or where the file does not record its machine, a difference is reported as such, not as a defect of
the code: another CPU's kernels round the last bits differently, and a trained policy then ends elsewhere.
Exit status 1 if a row differs on a machine that wrote it; else 2 if a row differs on a file written elsewhere.
Run: python bench/reproduce.py [--random 2] [--seed 0] [--system]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluation import machine, machine_id, written_on  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
TOLERANCE = 1e-9


def same(stored, now) -> bool:
    "Equal within TOLERANCE where both are numbers, NaN where both are NaN, and over the same index."
    stored, now = pd.Series(stored, dtype=float), pd.Series(now, dtype=float)
    if not stored.index.equals(now.index):
        return False
    return bool(np.allclose(stored.to_numpy(), now.to_numpy(), rtol=0, atol=TOLERANCE, equal_nan=True))


def ablation_row(market: str, variant: str, seed: int, long: bool = False) -> tuple[pd.Series, pd.Series]:
    "Stored and re-run test Sharpe per symbol of one ablation run (`long`: of ablation_long.csv's longer markets)."
    import ablation

    table = pd.read_csv(RESULTS / ("ablation_long.csv" if long else "ablation.csv"))
    stored = table[(table.market == market) & (table.variant == variant) & (table.seed == seed)]
    now = pd.DataFrame(ablation.run(market, variant, seed, ablation.LONG_DAYS if long else ablation.N_DAYS))
    return stored.set_index("symbol")["sharpe"].sort_index(), now.set_index("symbol")["sharpe"].sort_index()


def walk_forward_row(asset_class: str, fold: int, seed: int) -> tuple[pd.Series, pd.Series]:
    "Stored and re-run test Sharpe per symbol (1x costs) of one walk-forward agent."
    import trading_eval

    pick = lambda frame: frame[(frame.strategy == "agent") & (frame.period == "test") & (frame.cost_multiplier == 1.0)
                               ].set_index("symbol")["sharpe"].sort_index()  # fmt: skip
    table = pd.read_csv(RESULTS / "walk_forward.csv")
    stored = table[(table.asset_class == asset_class) & (table.fold == fold) & (table.seed == seed)]
    return pick(stored), pick(pd.DataFrame(trading_eval.run_agent(asset_class, fold, seed)))


def learner_row(algorithm: str, env_id: str, seed: int, table_name: str) -> tuple[pd.Series, pd.Series]:
    "Stored and re-run evaluation return of one of our learners' runs."
    import learners

    table = pd.read_csv(RESULTS / "learners.csv")
    stored = table[(table.table == table_name) & (table.algorithm == algorithm) & (table.env_id == env_id)
                   & (table.seed == seed) & (table.library == "ours")]["return"]  # fmt: skip
    now, _ = learners.run_ours(algorithm, env_id, seed, table_name)
    return pd.Series(stored.to_numpy()), pd.Series([now])


def cql_scratch_row(agent_name: str, seed: int) -> tuple[pd.Series, pd.Series] | None:
    "Stored and re-run last validation return of the agent trained from scratch (None: that run is not on this disk)."
    from wealtharena.agents import RLAgentFactory

    run_file = RESULTS / "cql_run" / agent_name / f"scratch_seed{seed}.json"
    if not run_file.is_file():  # the run folder is an output of bench/cql_pretraining.py, not committed
        return None
    stored = json.loads(run_file.read_text())["curve"][-1]
    agent = RLAgentFactory.create_agent(agent_name)
    curve = agent.train(seed=seed, total_timesteps=agent.args.total_timesteps, val_every=10_000, tensorboard=False,
                        progress=False)["validation_curve"]  # fmt: skip
    return pd.Series([stored["return"]]), pd.Series([curve[-1]["return"]])


def system_job_row(fold: int, seed: int) -> tuple[pd.Series, pd.Series]:
    "Stored and re-run summed daily returns of every strategy of one system job (agents trained afresh)."
    from wealtharena.system import load_system_config, system_job

    stored = pd.read_csv(RESULTS / "system" / f"fold_{fold}_seed_{seed}_returns.csv", index_col=0, parse_dates=True)
    with tempfile.TemporaryDirectory() as folder:
        spec = dict(system=load_system_config(), fold=fold, seed=seed, budget=1.0, run_dir=folder,
                    cache=str(Path(folder) / "cache"), tensorboard=False, fine_tune_bars=1260)  # fmt: skip
        result = system_job(spec)
    now = pd.Series({label: run["returns"].sum() for label, run in result["strategies"].items()}).sort_index()
    return stored.sum().sort_index(), now


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=0, help="more ablation and walk-forward rows, drawn at random")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random draw")
    parser.add_argument("--system", action="store_true", help="also one system job (about 3 minutes)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    checks = [("ablation.csv", ablation_row, ("ou", "default", 0)),
              ("ablation_long.csv", ablation_row, ("regime", "one policy (earlier default)", 0, True)),
              ("walk_forward.csv", walk_forward_row, ("currencies", 2018, 1)),
              ("learners.csv", learner_row, ("dqn", "CartPole-v1", 0, "defaults")),
              ("cql_run", cql_scratch_row, ("currencies", 0))]  # fmt: skip
    rng = np.random.default_rng(args.seed)
    ablation_keys = pd.read_csv(RESULTS / "ablation.csv")[["market", "variant", "seed"]].drop_duplicates()
    walk_keys = pd.read_csv(RESULTS / "walk_forward.csv").query("seed >= 0 and strategy == 'agent'")
    walk_keys = walk_keys[["asset_class", "fold", "seed"]].drop_duplicates()
    for _ in range(args.random):
        checks.append(("ablation.csv", ablation_row, tuple(ablation_keys.iloc[rng.integers(len(ablation_keys))])))
        checks.append(("walk_forward.csv", walk_forward_row, tuple(walk_keys.iloc[rng.integers(len(walk_keys))])))
    if args.system:
        checks.append(("system/", system_job_row, (2019, 0)))
    here = machine_id(machine())
    print(f"this machine: {here} ({machine()['cpu']}, torch kernels {machine()['torch_cpu_capability']})")
    rows = []
    for name, check, key in checks:
        key = tuple(v.item() if hasattr(v, "item") else v for v in key)
        compared = check(*key)
        writers = written_on(RESULTS / name) if name.endswith(".csv") else {}
        if compared is None:
            verdict = "not on this disk (run its benchmark to write it)"
        elif len(compared[0]) and same(*compared):
            verdict = "reproduced"
        elif here in writers:
            verdict = "DIFFERS"
        elif writers:
            verdict = f"differs, written on another machine ({', '.join(writers)})"
        else:
            verdict = "differs, the file does not record the machine that wrote it"
        rows.append(dict(file=name, row=" / ".join(map(str, key)), verdict=verdict))
        print(f"{name:<18} {rows[-1]['row']:<45} {verdict}", flush=True)
    table = pd.DataFrame(rows)
    if (table["verdict"] == "DIFFERS").any():
        print("some rows differ on a machine that wrote them: re-run their benchmark scripts (the files no longer "
              "describe the code)")  # fmt: skip
        sys.exit(1)
    if table["verdict"].str.startswith("differs").any():
        print("some rows could not be compared bit for bit: their files were written on another machine (or do not "
              "say where); re-run those benchmarks here to check the code on this machine")  # fmt: skip
        sys.exit(2)
    return table


if __name__ == "__main__":
    main()
