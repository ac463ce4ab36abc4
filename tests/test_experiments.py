"Experiments end to end: each experiment notebook under papermill at a tiny budget, as a sweep runs it."

from pathlib import Path

import nbformat
import pandas as pd

from wealtharena.experiments import results, run_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_experiment_notebooks_run_at_a_tiny_budget(tmp_path):
    expected = {"agent": {"validation_sharpe", "test_sharpe", "collapsed_share", "train_seconds"},
                "ablation": {"sharpe", "oracle_sharpe", "fraction_of_oracle", "collapsed_share"},
                "system": {"sharpe", "hierarchical_ppo__sharpe", "1_n_classes_long__sharpe",
                           "decentralized__turnover"}}  # fmt: skip
    for name, keys in expected.items():
        record = run_notebook(name, {"seed": 1}, root=tmp_path)
        assert record["status"] == "ok", (name, record["error"])
        assert keys <= set(record["metrics"]), (name, sorted(record["metrics"]))
        executed = nbformat.read(record["executed_notebook"], as_version=4)
        images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert images, f"{name}: the executed copy keeps no figure"
        returns = pd.read_csv(record["returns_file"], index_col="date")
        assert len(returns) > 100 and returns.notna().any().all(), name
    stored = results("runs", store=tmp_path / "results.sqlite")
    assert sorted(stored["notebook"]) == ["ablation.ipynb", "agent.ipynb", "system.ipynb"]
    assert set(stored["seed"]) == {1} and stored["commit"].str.len().min() >= 40
