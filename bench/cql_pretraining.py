"""Offline pretraining: CQL and behavioural cloning against training from scratch, 5 seeds, checked against d3rlpy.

For the DQN currency agent (--agent currencies, the default) or the SAC crypto agent (--agent crypto):
1. A dataset of the seven single-asset strategies' and random trajectories in the agent's own environment over the
   training years (wealtharena.offline.strategy_dataset), written once to bench/results/cql_run/AGENT/dataset.
2. Per seed: the agent's learner from scratch with its budget from agents.yaml; CQL pretraining (discrete, or CQL(H)
   with a SAC actor) then online fine-tuning from it with the same budget; the same with behavioural cloning. Every
   run scores its deterministic policy on the validation year (2018) before its first online step and every
   --val-every steps (the learners' validation_curve). The pretrained policy also goes through the SafetyValidator
   check (recorded; the run goes on either way, to be measured).
3. Per seed: d3rlpy 2.8.1's DiscreteCQL (or CQL) on the same dataset with the same widths, learning rate, batch,
   discount and conservative weight, in a virtual environment of its own (bench/.venvs/d3rlpy: torch 2.13.0 CPU first,
   then d3rlpy, which pins an older gymnasium than the package's; never installed into the project's environment).
   Its Q-network (or its actor's mean path) is copied into the package's network and scored the same way.

No choice looks at the test year: every figure is a validation-year score. Resumable: every finished run is a JSON
file in the run folder and is skipped on the next start. Writes bench/results/cql_pretraining_AGENT.csv (a row per
method and seed, and the means) and cql_pretraining_AGENT_curves.csv, which the pretraining chapter renders.
Run: python bench/cql_pretraining.py [--agent crypto] [--seeds 0 1 2 3 4] [--timesteps N] [--pretrain-steps 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import venv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RUN = RESULTS / "cql_run"  # per agent: cql_run/<agent>/
VENV = ROOT / "bench" / ".venvs" / "d3rlpy"


def d3rlpy_inner(dataset: Path, out: Path, steps: int, seed: int, hidden: list, lr: float, batch: int, gamma: float,
                 alpha: float) -> None:  # fmt: skip
    "Inside the d3rlpy environment: (Discrete)CQL on the dataset; its Q-network's or actor's Linear layers to `out`."
    import d3rlpy
    import torch

    torch.set_num_threads(1)  # as the package's learners: small networks run fastest on one thread
    d3rlpy.seed(seed)
    with np.load(dataset.with_suffix(".npz")) as stored:
        data = {k: stored[k] for k in ("observations", "actions", "rewards", "terminals", "timeouts")}
    discrete = data["actions"].ndim == 1
    space = d3rlpy.constants.ActionSpace.DISCRETE if discrete else d3rlpy.constants.ActionSpace.CONTINUOUS
    mdp = d3rlpy.dataset.MDPDataset(data["observations"], data["actions"], data["rewards"], data["terminals"],
                                    timeouts=data["timeouts"], action_space=space,
                                    action_size=3 if discrete else data["actions"].shape[1])  # fmt: skip
    encoder = d3rlpy.models.VectorEncoderFactory(hidden_units=hidden, activation="relu")
    if discrete:
        config = d3rlpy.algos.DiscreteCQLConfig(learning_rate=lr, batch_size=batch, gamma=gamma, alpha=alpha,
                                                target_update_interval=1000, encoder_factory=encoder)  # fmt: skip
    else:
        config = d3rlpy.algos.CQLConfig(critic_learning_rate=lr, actor_learning_rate=1e-4, batch_size=batch,
                                        gamma=gamma, conservative_weight=alpha, n_action_samples=10,
                                        actor_encoder_factory=encoder, critic_encoder_factory=encoder)  # fmt: skip
    algo = config.create(device="cpu:0")
    algo.fit(mdp, n_steps=steps, n_steps_per_epoch=steps, show_progress=False,
             logger_adapter=d3rlpy.logging.NoopAdapterFactory())  # fmt: skip
    network = algo.impl._modules.q_funcs[0] if discrete else algo.impl._modules.policy
    linears = [m for m in network.modules() if isinstance(m, torch.nn.Linear)]
    arrays = {f"{i}.{name}": getattr(layer, name).detach().numpy() for i, layer in enumerate(linears)
              for name in ("weight", "bias")}  # fmt: skip
    np.savez(out, **arrays)


def d3rlpy_python() -> Path:
    "The d3rlpy environment's interpreter, created (torch 2.13.0 CPU, then d3rlpy 2.8.1) if it is not there."
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "torch==2.13.0"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "d3rlpy==2.8.1"], check=True)
    return python


def cached(run: Path, name: str, compute) -> dict:
    "The JSON of a finished run, or the run computed and written (atomically)."
    from wealtharena.files import write_json

    path = run / f"{name}.json"
    if path.exists():
        return json.loads(path.read_text())
    began = time.perf_counter()
    result = compute()
    result["seconds"] = round(time.perf_counter() - began, 1)
    write_json(path, result)
    print(f"{name}: {result['seconds']} s", flush=True)
    return result


def steps_to_reach(curve: list, level: float):
    "The first global step at which the curve's return reaches `level` (None: never)."
    reached = [point["global_step"] for point in curve if point["return"] >= level]
    return reached[0] if reached else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="currencies", choices=["currencies", "crypto"],
                        help="the DQN currency agent or the SAC crypto agent")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--timesteps", type=int, default=None, help="online steps per run (default: agents.yaml's)")
    parser.add_argument("--pretrain-steps", type=int, default=10_000, help="offline gradient steps")
    parser.add_argument("--val-every", type=int, default=10_000)
    parser.add_argument("--episodes", type=int, default=30, help="dataset episodes per behaviour")
    parser.add_argument("--run", type=Path, default=None, help="folder of the runs' files (default: cql_run/AGENT)")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/results/cql_pretraining_AGENT.csv")
    parser.add_argument("--inner", nargs=9, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        dataset, out, steps, seed, hidden, lr, batch, gamma, alpha = args.inner
        return d3rlpy_inner(Path(dataset), Path(out), int(steps), int(seed), json.loads(hidden), float(lr),
                            int(batch), float(gamma), float(alpha))  # fmt: skip

    import pandas as pd
    import torch

    args.run = args.run or RUN / args.agent
    args.out = args.out or RESULTS / f"cql_pretraining_{args.agent}.csv"

    from wealtharena.agents import RLAgentFactory, dqn, sac
    from wealtharena.agents.common import market_settings, validation_score
    from wealtharena.files import write_text
    from wealtharena.offline import OfflineDataset, strategy_dataset
    from wealtharena.pretraining import cql_args, fine_tune_pretrained, pretrain, safety_check

    args.run.mkdir(parents=True, exist_ok=True)
    agent = RLAgentFactory.create_agent(args.agent)
    fresh = lambda: RLAgentFactory.create_agent(args.agent)  # train() keeps its overrides: a new agent for every run
    learner = agent.algorithm.upper()
    timesteps = args.timesteps or agent.args.total_timesteps
    dataset = args.run / "dataset"
    if not dataset.with_suffix(".json").exists():
        strategy_dataset(agent, episodes=args.episodes, seed=0).save(dataset)
    data = OfflineDataset.load(dataset)
    print(f"dataset: {len(data)} transitions of {data.source_names}", flush=True)
    online = dict(total_timesteps=timesteps, val_every=args.val_every, tensorboard=False, progress=False)
    offline = dict(total_timesteps=args.pretrain_steps, batch_size=256)
    d3 = cql_args(agent, dataset, **offline)
    score_args = agent.args  # the validation environment: the agent's own settings with the dataset's scaler
    rows, curves = [], []
    for seed in args.seeds:
        scratch = cached(args.run, f"scratch_seed{seed}",
                         lambda: {"curve": fresh().train(seed=seed, **online)["validation_curve"]})  # fmt: skip
        final = scratch["curve"][-1]["return"]
        curves += [{"method": f"{learner} from scratch", "seed": seed, **point} for point in scratch["curve"]]
        rows.append({"method": f"{learner} from scratch", "seed": seed, "pretrained_return": np.nan,
                     "pretrained_sharpe": np.nan, "final_return": final, "final_sharpe": scratch["curve"][-1]["sharpe"],
                     "steps_to_scratch_final": timesteps, "safety_passed": np.nan,
                     "seconds": scratch["seconds"]})  # fmt: skip
        for method in ("cql", "bc"):
            def run(method=method):
                path = args.run / "checkpoints" / f"{method}_seed{seed}"
                pretrained = pretrain(fresh(), dataset, path, method=method, seed=seed, **offline)
                check = safety_check(pretrained)
                result = fine_tune_pretrained(fresh(), path, check=check, force=True, seed=seed, **online)
                return {"curve": result["validation_curve"], "safety_passed": check["passed"],
                        "safety_reason": check["reason"]}  # fmt: skip

            done = cached(args.run, f"{method}_seed{seed}", run)
            curve = done["curve"]
            curves += [{"method": f"{method.upper()} pretrained, then {learner}", "seed": seed, **p} for p in curve]
            rows.append({"method": f"{method.upper()} pretrained, then {learner}", "seed": seed,
                         "pretrained_return": curve[0]["return"], "pretrained_sharpe": curve[0]["sharpe"],
                         "final_return": curve[-1]["return"], "final_sharpe": curve[-1]["sharpe"],
                         "steps_to_scratch_final": steps_to_reach(curve, final),
                         "safety_passed": done["safety_passed"], "seconds": done["seconds"]})  # fmt: skip

        def reference():
            out = args.run / f"d3rlpy_seed{seed}.npz"
            subprocess.run([str(d3rlpy_python()), __file__, "--inner", str(dataset), str(out), str(args.pretrain_steps),
                            str(seed), json.dumps(list(d3.hidden_layers)), str(d3.learning_rate), str(d3.batch_size),
                            str(d3.gamma), str(d3.cql_alpha)], check=True, capture_output=True)  # fmt: skip
            if data.discrete:
                network = dqn.q_network(data.observations.shape[1], 3, d3.hidden_layers)
                linears = [m for m in network if isinstance(m, torch.nn.Linear)]
                policy = dqn.make_policy({"q_network": network}, None)
            else:  # d3rlpy's actor: encoder layers then the mean; ours: body layers then fc_mean (same function)
                from wealtharena.agents.common import space_from

                network = sac.Actor(data.observations.shape[1], space_from(data.meta["action_space"]), d3.hidden_layers)
                linears = [m for m in network.body if isinstance(m, torch.nn.Linear)] + [network.fc_mean]
                policy = sac.make_policy({"actor": network}, None)
            with np.load(out) as weights:
                for i, layer in enumerate(linears):
                    layer.weight.data = torch.from_numpy(weights[f"{i}.weight"])
                    layer.bias.data = torch.from_numpy(weights[f"{i}.bias"])
            from wealtharena.splits import FeatureScaler

            market = market_settings(score_args, None, FeatureScaler.from_state(data.meta["obs_scaler"]))
            return {"score": validation_score(policy, score_args, market)}

        ref = cached(args.run, f"d3rlpy_seed{seed}", reference)
        reference_name = "d3rlpy DiscreteCQL" if data.discrete else "d3rlpy CQL"
        rows.append({"method": f"{reference_name} (pretrained only)", "seed": seed,
                     "pretrained_return": ref["score"]["return"], "pretrained_sharpe": ref["score"]["sharpe"],
                     "final_return": np.nan, "final_sharpe": np.nan, "steps_to_scratch_final": np.nan,
                     "safety_passed": np.nan, "seconds": ref["seconds"]})  # fmt: skip
    table = pd.DataFrame(rows)
    table["steps_to_scratch_final"] = table["steps_to_scratch_final"].astype(float)
    means = table.groupby("method", sort=False).mean(numeric_only=True).reset_index().assign(seed="mean")
    reached = table.groupby("method", sort=False)["steps_to_scratch_final"].apply(lambda s: int(s.notna().sum()))
    means["seeds_reaching"] = means["method"].map(reached)
    out = pd.concat([table, means], ignore_index=True)
    write_text(args.out, out.to_csv(index=False, float_format="%.6g"))
    write_text(args.out.with_name(args.out.stem + "_curves.csv"), pd.DataFrame(curves).to_csv(index=False,
                                                                                          float_format="%.6g"))
    print(out.round(3).to_string())
    return out


if __name__ == "__main__":
    main()
