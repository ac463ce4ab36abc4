"""The demo command: python -m wealtharena.report writes the report and refuses to overwrite files."""

import subprocess, sys

import pandas as pd


def test_report_command_writes_metrics_and_figures(tmp_path):
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "wealtharena.report", "--out", str(out), "--classes", "reits", "crypto"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"report written to {out.resolve()}" in done.stdout
    table = pd.read_csv(out / "metrics.csv", index_col=[0, 1])
    assert set(table.index.get_level_values(0)) == {"reits", "crypto"}
    assert {"sharpe_ratio", "sharpe_ci_low", "max_drawdown", "turnover", "data"} <= set(table.columns)
    assert (out / "equity_crypto.png").stat().st_size > 10_000
    again = subprocess.run(
        [sys.executable, "-m", "wealtharena.report", "--out", str(out), "--classes", "reits"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode != 0 and "already holds files" in again.stderr


def test_report_help():
    done = subprocess.run([sys.executable, "-m", "wealtharena.report", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--overwrite" in done.stdout
