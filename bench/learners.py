"""The learners against their anchors: our PPO, A2C, DQN and SAC against Stable-Baselines3 with equal step budgets.

For each seed: PPO (100k steps) and A2C (200k) on CartPole-v1, DQN (50k) on CartPole-v1, SAC (20k) on Pendulum-v1.
Both libraries get the rl-zoo hyperparameters for these tasks and one torch thread; returns are the mean of 10
deterministic evaluation episodes; times are training time only. Thresholds: CartPole >= 475, Pendulum >= -200.
Run: python bench/learners.py [--algorithms ppo a2c dqn sac] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse, time, warnings

import torch

from wealtharena.agents import a2c, dqn, ppo, sac

QUIET = dict(tensorboard=False, progress=False, eval_episodes=10)
TASKS = {  # algorithm: (env, steps, threshold, our Args, SB3 class name, SB3 kwargs)
    "ppo": (
        "CartPole-v1",
        100_000,
        475.0,
        lambda seed: ppo.Args(
            seed=seed,
            total_timesteps=100_000,
            num_envs=8,
            num_steps=32,
            num_minibatches=1,
            update_epochs=20,
            gamma=0.98,
            gae_lambda=0.8,
            ent_coef=0.0,
            learning_rate=1e-3,
            **QUIET,
        ),
        "PPO",
        dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate=1e-3),
        8,
    ),
    "a2c": (
        "CartPole-v1",
        200_000,
        475.0,
        lambda seed: a2c.Args(seed=seed, total_timesteps=200_000, num_envs=8, ent_coef=0.0, **QUIET),
        "A2C",
        dict(ent_coef=0.0),
        8,
    ),
    "dqn": (
        "CartPole-v1",
        50_000,
        475.0,
        lambda seed: dqn.Args(
            seed=seed,
            total_timesteps=50_000,
            learning_rate=2.3e-3,
            batch_size=64,
            buffer_size=100_000,
            learning_starts=1000,
            gamma=0.99,
            target_network_frequency=10,
            train_frequency=256,
            gradient_steps=128,
            exploration_fraction=0.16,
            end_e=0.04,
            hidden_layers=(256, 256),
            **QUIET,
        ),
        "DQN",
        dict(
            learning_rate=2.3e-3,
            batch_size=64,
            buffer_size=100_000,
            learning_starts=1000,
            gamma=0.99,
            target_update_interval=10,
            train_freq=256,
            gradient_steps=128,
            exploration_fraction=0.16,
            exploration_final_eps=0.04,
            policy_kwargs=dict(net_arch=[256, 256]),
        ),
        1,
    ),
    "sac": (
        "Pendulum-v1",
        20_000,
        -200.0,
        lambda seed: sac.Args(seed=seed, total_timesteps=20_000, learning_rate=1e-3, **QUIET),
        "SAC",
        dict(learning_rate=1e-3),
        1,
    ),
}
MODULES = {"ppo": ppo, "a2c": a2c, "dqn": dqn, "sac": sac}


def run_ours(algorithm: str, seed: int) -> tuple[float, float]:
    result = MODULES[algorithm].train(TASKS[algorithm][3](seed))
    return result["eval_mean_return"], result["train_seconds"]


def run_sb3(algorithm: str, seed: int) -> tuple[float, float]:
    import gymnasium as gym
    import stable_baselines3 as sb3
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy

    env_id, steps, _, _, name, kwargs, n_envs = TASKS[algorithm]
    env = make_vec_env(env_id, n_envs=n_envs, seed=seed)
    model = getattr(sb3, name)("MlpPolicy", env, seed=seed, device="cpu", verbose=0, **kwargs)
    started = time.time()
    model.learn(total_timesteps=steps)
    seconds = time.time() - started
    mean, _ = evaluate_policy(model, gym.make(env_id), n_eval_episodes=10, deterministic=True)
    return float(mean), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithms", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    print(
        f"{'algo':<5} {'env':<12} {'steps':>7} {'seed':>4} {'ours return':>12} {'ours s':>8} {'sb3 return':>11} {'sb3 s':>8} {'speed-up':>9}  verdict",
        flush=True,
    )
    rows = []
    for algorithm in args.algorithms:
        env_id, steps, threshold = TASKS[algorithm][:3]
        for seed in args.seeds:
            ours, ours_s = run_ours(algorithm, seed)
            torch.set_num_threads(1)
            theirs, theirs_s = run_sb3(algorithm, seed)
            speedup = theirs_s / ours_s
            verdict = ("threshold met" if ours >= threshold else "THRESHOLD MISSED") + (
                ", >= 1.5x" if speedup >= 1.5 and ours >= theirs else ", < 1.5x or worse return"
            )
            rows.append((algorithm, seed, ours, ours_s, theirs, theirs_s, speedup))
            print(
                f"{algorithm:<5} {env_id:<12} {steps:>7} {seed:>4} {ours:>12.1f} {ours_s:>8.1f} {theirs:>11.1f} {theirs_s:>8.1f} {speedup:>8.2f}x  {verdict}",
                flush=True,
            )
    return rows


if __name__ == "__main__":
    main()
