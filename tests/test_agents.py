"""The single-file learners: CLI, short runs on gymnasium and market environments, seeding, checkpoints and resuming."""

import json, subprocess, sys

import pytest

import numpy as np

from wealtharena.agents import ConfigError, RLAgent, RLAgentFactory, a2c, dqn, ppo, sac
from wealtharena.agents.common import CheckpointError

QUIET = dict(tensorboard=False, progress=False)


@pytest.mark.parametrize("module", ["ppo", "sac", "a2c", "dqn"])
def test_help_lists_every_hyperparameter(module):
    done = subprocess.run(
        [sys.executable, "-m", f"wealtharena.agents.{module}", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for field in (
        "--env-id",
        "--total-timesteps",
        "--seed",
        "--learning-rate",
        "--gamma",
        "--eval-episodes",
        "--resume",
    ):
        assert field in done.stdout


CLI_RUNS = {  # each learner on its asset class, for a few hundred steps
    "ppo": ["--env-id", "stocks", "--symbol", "MSFT", "--num-envs", "4", "--num-steps", "32"],
    "sac": ["--env-id", "crypto", "--symbol", "BTCUSD", "--learning-starts", "64", "--batch-size", "32"],
    "a2c": ["--env-id", "etf", "--symbol", "SPY"],
    "dqn": [
        "--env-id",
        "currencies",
        "--symbol",
        "EURUSD",
        "--learning-starts",
        "64",
        "--batch-size",
        "32",
        "--train-frequency",
        "4",
    ],
}


@pytest.mark.parametrize("module", list(CLI_RUNS))
def test_cli_short_run_on_its_asset_class(tmp_path, module):
    cmd = [
        sys.executable,
        "-m",
        f"wealtharena.agents.{module}",
        *CLI_RUNS[module],
        "--total-timesteps",
        "256",
        "--episode-length",
        "32",
        "--eval-episodes",
        "1",
        "--no-progress",
        "--log-dir",
        str(tmp_path / "runs"),
        "--save-path",
        str(tmp_path / "ckpt"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("eval_mean_return=") and float(last.split("=")[1]) == float(last.split("=")[1])
    assert any((tmp_path / "runs").rglob("events.out.tfevents.*")), "no tensorboard log was written"


def test_ppo_same_seed_same_first_losses_and_continuous_actions():
    args = ppo.Args(env_id="Pendulum-v1", total_timesteps=256, num_envs=2, num_steps=64, eval_episodes=1, **QUIET)
    first, second = ppo.train(args), ppo.train(args)
    assert first["history"][0] == {**second["history"][0], "charts/SPS": first["history"][0]["charts/SPS"]}
    assert not first["agent"].discrete


def test_ppo_resume_continues_the_same_schedule(tmp_path, monkeypatch):
    base = dict(total_timesteps=1024, num_envs=2, num_steps=64, eval_episodes=1, **QUIET)
    whole = ppo.train(ppo.Args(**base))
    real_save = ppo.save_checkpoint

    class Interrupted(Exception):
        pass

    def save_then_stop(*args, **kwargs):  # the run dies right after its first checkpoint
        real_save(*args, **kwargs)
        raise Interrupted

    monkeypatch.setattr(ppo, "save_checkpoint", save_then_stop)
    with pytest.raises(Interrupted):
        ppo.train(ppo.Args(**base, save_path=str(tmp_path / "ckpt"), save_every=4))
    monkeypatch.setattr(ppo, "save_checkpoint", real_save)
    resumed = ppo.train(ppo.Args(**base, resume=str(tmp_path / "ckpt")))
    assert [h["iteration"] for h in resumed["history"]] == [5, 6, 7, 8]
    assert resumed["global_step"] == whole["global_step"] == 1024
    assert [h["charts/learning_rate"] for h in resumed["history"]] == [
        h["charts/learning_rate"] for h in whole["history"][4:]
    ]


def test_bad_checkpoints_are_refused(tmp_path):
    ppo.train(
        ppo.Args(total_timesteps=128, num_envs=2, num_steps=64, eval_episodes=1, save_path=str(tmp_path / "c"), **QUIET)
    )
    meta = json.loads((tmp_path / "c.json").read_text())
    (tmp_path / "c.json").write_text(json.dumps({**meta, "algorithm": "sac"}))
    with pytest.raises(CheckpointError, match="written by sac, not ppo"):
        ppo.train(ppo.Args(total_timesteps=256, num_envs=2, num_steps=64, resume=str(tmp_path / "c"), **QUIET))
    (tmp_path / "c.json").write_text(json.dumps(meta))
    data = (tmp_path / "c.safetensors").read_bytes()
    (tmp_path / "c.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        ppo.train(ppo.Args(total_timesteps=256, num_envs=2, num_steps=64, resume=str(tmp_path / "c"), **QUIET))
    with pytest.raises(FileExistsError, match="--overwrite"):
        ppo.train(ppo.Args(total_timesteps=128, num_envs=2, num_steps=64, save_path=str(tmp_path / "c"), **QUIET))


@pytest.mark.parametrize(
    "module,args",
    [
        (dqn, dict(total_timesteps=300, learning_starts=50, train_frequency=4, batch_size=32)),
        (sac, dict(total_timesteps=200, learning_starts=50, batch_size=32)),
        (a2c, dict(total_timesteps=200)),
    ],
)
def test_same_seed_same_first_losses(module, args):
    run = lambda: module.train(module.Args(eval_episodes=1, **QUIET, **args))["history"][0]
    first, second = run(), run()
    first.pop("charts/SPS"), second.pop("charts/SPS")
    assert first == second


def test_checkpoint_of_another_algorithm_is_refused(tmp_path):
    sac.train(
        sac.Args(
            total_timesteps=100,
            learning_starts=50,
            batch_size=16,
            eval_episodes=1,
            save_path=str(tmp_path / "s"),
            **QUIET,
        )
    )
    with pytest.raises(CheckpointError, match="written by sac, not ppo"):
        ppo.train(
            ppo.Args(
                env_id="Pendulum-v1", total_timesteps=256, num_envs=2, num_steps=64, resume=str(tmp_path / "s"), **QUIET
            )
        )
    agent = RLAgent.load(tmp_path / "s")  # the factory's agent loads a learner's checkpoint
    assert agent.algorithm == "sac" and np.asarray(agent.predict(np.zeros(3))).shape == (1,)


def test_factory_config_errors_name_the_key(tmp_path):
    bad = tmp_path / "agents.yaml"
    bad.write_text("rl_agents:\n  currencies:\n    algorithm: dqn\n    gamma: [0.9]\n")
    with pytest.raises(ConfigError, match=r"rl_agents.currencies.gamma: expected float"):
        RLAgentFactory.create_agent("currencies", bad)
    bad.write_text("rl_agents:\n  etf:\n    algorithm: a3c\n")
    with pytest.raises(ConfigError, match="unknown algorithm 'a3c'"):
        RLAgentFactory.create_agent("etf", bad)
    bad.write_text("rl_agents: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        RLAgentFactory.create_agent("etf", bad)
    with pytest.raises(ConfigError, match="no rl_agents entry for 'reits'"):
        RLAgentFactory.create_agent("reits", {"rl_agents": {"stocks": {"algorithm": "ppo"}}})


@pytest.mark.parametrize(
    "module,args",
    [
        (dqn, dict(total_timesteps=240, learning_starts=40, train_frequency=4, batch_size=16, save_every=120)),
        (sac, dict(total_timesteps=120, learning_starts=40, batch_size=16, save_every=60)),
        (a2c, dict(total_timesteps=240, save_every=3)),
    ],
)
def test_off_policy_and_a2c_resume_where_they_stopped(tmp_path, monkeypatch, module, args):
    real_save = module.save_checkpoint

    class Interrupted(Exception):
        pass

    def save_then_stop(*a, **k):
        real_save(*a, **k)
        raise Interrupted

    monkeypatch.setattr(module, "save_checkpoint", save_then_stop)
    with pytest.raises(Interrupted):
        module.train(module.Args(eval_episodes=1, save_path=str(tmp_path / "c"), **QUIET, **args))
    monkeypatch.setattr(module, "save_checkpoint", real_save)
    meta = json.loads((tmp_path / "c.json").read_text())
    position = meta["state"].get("step", meta["state"].get("global_step"))
    assert 0 < position < args["total_timesteps"]
    resumed = module.train(
        module.Args(
            eval_episodes=1, resume=str(tmp_path / "c"), **QUIET, **{k: v for k, v in args.items() if k != "save_every"}
        )
    )
    assert resumed["global_step"] == args["total_timesteps"] - args["total_timesteps"] % (8 * 5 if module is a2c else 1)


@pytest.mark.parametrize("module", ["ppo", "sac", "a2c", "dqn"])
def test_help_works_when_the_file_is_run(module):
    "python wealtharena/agents/<module>.py --help, as well as python -m."
    path = __import__(f"wealtharena.agents.{module}", fromlist=["x"]).__file__
    done = subprocess.run([sys.executable, path, "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--total-timesteps" in done.stdout


def test_sac_logs_before_its_first_policy_update():
    "learning_starts=11 with delayed policy updates used to crash on an undefined actor_loss."
    result = sac.train(sac.Args(total_timesteps=40, learning_starts=11, batch_size=8, hidden_layers=(8,),
                                eval_episodes=1, **QUIET))  # fmt: skip
    assert result["history"][0]["global_step"] == 12
    assert "losses/actor_loss" not in result["history"][0]  # no policy update yet at the first logged step
    assert any("losses/actor_loss" in row for row in result["history"])


@pytest.mark.parametrize(
    "module, bad, message",
    [
        (dqn, dict(gradient_steps=0), "gradient_steps: must be >= 1"),
        (dqn, dict(total_timesteps=100, learning_starts=100), "no update would happen"),
        (sac, dict(total_timesteps=50, learning_starts=100), "no update would happen"),
        (sac, dict(policy_frequency=0), "policy_frequency: must be >= 1"),
        (ppo, dict(num_minibatches=3), "is not divisible by 3"),
        (ppo, dict(gamma=1.5), "gamma: must be in [0, 1]"),
        (a2c, dict(num_steps=0), "num_steps: must be >= 1"),
        (a2c, dict(env_id="stocks", window=0), "window: must be >= 1"),
    ],
)
def test_learners_refuse_bad_arguments_up_front(module, bad, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        module.train(module.Args(**{**QUIET, **bad}))


def test_predict_applies_the_training_scaler(tmp_path):
    "The scaler fitted on the training range travels in the checkpoint; a reloaded agent's env uses it."
    agent = RLAgentFactory.create_agent("etf")
    agent.train(num_iterations=1, end="2015-12-31", num_envs=2, eval_episodes=1, **QUIET)
    fitted = agent.scaler.state()["mean"]
    agent.save(tmp_path / "etf")
    again = RLAgent.load(tmp_path / "etf")
    assert again.scaler.state()["mean"] == fitted
    obs, _ = again.make_env(symbol="SPY", start="2016-01-01", end="2016-06-30").reset()
    unscaled, _ = again.make_env(symbol="SPY", start="2016-01-01", end="2016-06-30", scaler=None).reset()
    assert not np.allclose(obs, unscaled)  # the observation is standardised with the training statistics
    assert again.predict(obs) == agent.predict(obs)


def test_default_data_stops_at_the_training_split():
    "RLAgent.train(data=None) never reaches the validation or test years."
    from wealtharena.splits import default_split

    agent = RLAgentFactory.create_agent("currencies")
    agent.train(num_iterations=8, learning_starts=256, batch_size=32, num_envs=1, eval_episodes=1, **QUIET)
    assert agent.args.end == str(default_split().train[1].date())
    env = agent.make_env(symbol="EURUSD", end=agent.args.end)
    assert env.dates[env._last] <= default_split().train[1] < default_split().val[0]
