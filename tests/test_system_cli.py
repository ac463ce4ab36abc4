"The system's command line as a user runs it: help, a bad config named by its key, predict on a missing run."

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "wealtharena.system", *args], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_help_lists_the_arguments():
    done = run("--help")
    assert done.returncode == 0, done.stderr
    for flag in ("--config", "--folds", "--seeds", "--budget", "--workers", "--train-models-only", "--fine-tune-bars"):
        assert flag in done.stdout, flag
    done = run("predict", "--help")
    assert done.returncode == 0 and "--run" in done.stdout, done.stderr


def test_a_bad_config_is_named(tmp_path):
    config = tmp_path / "system.yaml"
    config.write_text("multi_agent_env:\n  agent_weights: {stocks: 0.7, etf: 0.7}\n")
    done = run("--config", str(config), "--out", str(tmp_path / "runs"))
    assert done.returncode != 0
    assert "system.yaml: multi_agent_env.agent_weights: the weights sum to 1.4 > 1" in done.stderr
    assert not (tmp_path / "runs").exists()  # nothing written for a config that cannot run


def test_predict_needs_a_run_folder(tmp_path):
    done = run("predict", "--run", str(tmp_path))
    assert done.returncode != 0
    assert "manifest.json: not a run folder" in done.stderr
