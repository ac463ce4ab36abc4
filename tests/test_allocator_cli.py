"The allocator's command line end to end: processes started, killed and stopped for real."

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from wealtharena.paper import LOGS, PaperTrader, load_allocator_config

ROOT = Path(__file__).resolve().parents[1]


def small_config(folder: Path, start: str, end: str, **allocator) -> Path:
    "An allocator YAML over a short stretch of the bundled stocks, written into `folder`."
    config = load_allocator_config()
    config["paper"].update(start=start, end=end, flush_every=20)
    config["allocator"] = {"history_start": start, "total_timesteps": 256, "num_steps": 32, "num_envs": 2,
                           "episode_length": 4, **allocator}  # fmt: skip
    path = folder / "allocator.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def command(*args) -> list:
    return [sys.executable, "-m", "wealtharena.allocator", *map(str, args)]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_simulator_killed_by_sigkill_resumes_without_losing_or_repeating_a_line(tmp_path):
    config_path = small_config(tmp_path, "2003-01-02", "2019-12-31")
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    process = subprocess.Popen(command("simulate", "--root", killed, "--config", config_path), cwd=ROOT)
    wait_for(lambda: (killed / "state" / "paper_state.json").exists(), 120, "the simulator's first saved state")
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = json.loads((killed / "state" / "paper_state.json").read_text())
    config = load_allocator_config(config_path)
    assert state["cursor"] < len(PaperTrader(config, root=tmp_path / "probe").dates)  # it was killed part-way
    PaperTrader(config, root=killed).run()
    PaperTrader(config, root=clean).run()
    for _, (path, _) in LOGS.items():
        assert (killed / path).read_text() == (clean / path).read_text(), path


def test_inference_writer_killed_never_leaves_a_torn_weights_file(tmp_path):
    config_path = small_config(tmp_path, "2016-01-04", "2016-09-30")
    PaperTrader(load_allocator_config(config_path), root=tmp_path).run()
    weights = tmp_path / "runtime" / "rl_strategy_weights.json"
    process = subprocess.Popen(command("infer", "--root", tmp_path, "--config", config_path, "--loop", "--interval", 0),
                               cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(weights.exists, 60, "the first weights file")
        reads = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            reads.append(json.loads(weights.read_text()))  # a torn file would raise here
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert len(reads) > 10 and all(abs(sum(r["weights"].values()) - 1) < 1e-9 for r in reads)
    final = json.loads(weights.read_text())
    assert final["source"] == "min_variance" and np.isclose(sum(final["weights"].values()), 1.0)
    assert all(set(r) >= {"timestamp", "version", "source", "reasons", "weights"} for r in reads)  # whole versions
    override = json.loads((tmp_path / "runtime" / "allocations_override.json").read_text())
    assert set(override["weights"]) == set(final["weights"])


def test_run_starts_four_processes_and_stops_them_on_sigterm(tmp_path):
    config_path = small_config(tmp_path, "2016-01-04", "2017-12-29", retrain_days=30.0)
    process = subprocess.Popen(
        command("run", "--root", tmp_path, "--config", config_path, "--interval", 0.5, "--pace", 0.02,
                "--episodes", 16),
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: (tmp_path / "state" / "rl_model" / "allocator.meta.json").exists(), 150, "a trained model")
        wait_for(lambda: (tmp_path / "state" / "tracker.csv").exists(), 60, "the tracker's first line")
        wait_for(lambda: json.loads((tmp_path / "runtime" / "allocations_override.json").read_text())["source"]
                 == "model", 60, "weights from the model")  # fmt: skip
        book = tmp_path / "state" / "book.csv"
        wait_for(lambda: any(line.split(",")[-1].startswith("2") for line in book.read_text().splitlines()[1:]), 60,
                 "the book trading the model's weights")  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=90)
    assert process.returncode == 0, output
    assert "stopped: {'simulate': 0, 'train': 0, 'infer': 0, 'track': 0}" in output, output
    pids = [int(pid) for pid in re.findall(r"pid (\d+)", output.splitlines()[0])]
    assert len(pids) == 4
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    book = (tmp_path / "state" / "book.csv").read_text().splitlines()
    assert any(line.split(",")[-1].startswith("2") for line in book[1:])  # the book traded a model's weights
