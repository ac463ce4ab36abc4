"""The single-file learners: CLI, short runs on gymnasium and market environments, seeding, checkpoints and resuming."""
import json, subprocess, sys

import pytest

from wealtharena.agents import ppo
from wealtharena.agents.common import CheckpointError

QUIET = dict(tensorboard=False, progress=False)


@pytest.mark.parametrize("module", ["ppo"])
def test_help_lists_every_hyperparameter(module):
    done = subprocess.run([sys.executable, "-m", f"wealtharena.agents.{module}", "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for field in ("--env-id", "--total-timesteps", "--seed", "--learning-rate", "--gamma", "--eval-episodes", "--resume"):
        assert field in done.stdout


def test_ppo_cli_short_run_on_its_asset_class(tmp_path):
    cmd = [sys.executable, "-m", "wealtharena.agents.ppo", "--env-id", "stocks", "--symbol", "MSFT", "--total-timesteps", "256",
           "--num-envs", "4", "--num-steps", "32", "--episode-length", "32", "--eval-episodes", "1", "--no-progress",
           "--log-dir", str(tmp_path / "runs")]
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

    class Interrupted(Exception): pass

    def save_then_stop(*args, **kwargs):                          # the run dies right after its first checkpoint
        real_save(*args, **kwargs)
        raise Interrupted
    monkeypatch.setattr(ppo, "save_checkpoint", save_then_stop)
    with pytest.raises(Interrupted):
        ppo.train(ppo.Args(**base, save_path=str(tmp_path / "ckpt"), save_every=4))
    monkeypatch.setattr(ppo, "save_checkpoint", real_save)
    resumed = ppo.train(ppo.Args(**base, resume=str(tmp_path / "ckpt")))
    assert [h["iteration"] for h in resumed["history"]] == [5, 6, 7, 8]
    assert resumed["global_step"] == whole["global_step"] == 1024
    assert [h["charts/learning_rate"] for h in resumed["history"]] == [h["charts/learning_rate"] for h in whole["history"][4:]]


def test_bad_checkpoints_are_refused(tmp_path):
    ppo.train(ppo.Args(total_timesteps=128, num_envs=2, num_steps=64, eval_episodes=1, save_path=str(tmp_path / "c"), **QUIET))
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
