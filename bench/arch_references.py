"""Reference block lengths and stationary-bootstrap intervals for the metrics chapter, computed by `arch`.

The `arch` package (Kevin Sheppard's, version 8.0) is the reference the metrics chapter's Politis-White block length
and stationary bootstrap are checked against. This script never installs `arch` into the project's environment: it
creates `bench/.venvs/arch`, installs `arch` there and runs itself inside it. The series are fat-tailed AR(1) paths
(seeded) and the bundled daily returns of one symbol per asset class; they are written to
`tests/data/arch_inputs.csv.gz`, arch's block lengths to `tests/data/arch_references.csv` and arch's percentile
intervals (10,000 resamples) to `tests/data/arch_intervals.csv`, all of which the chapter's tests read.
Run: python bench/arch_references.py   (needs the package index once, to install arch)
"""

from __future__ import annotations

import argparse
import subprocess
import venv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
VENV = ROOT / "bench" / ".venvs" / "arch"
ARCH = "arch==8.0.0"
REAL = {"stocks": "AAPL", "crypto": "BTCUSD", "etfs": "SPY", "currencies": "EURUSD", "reits": "AVB"}
INTERVALS = ["ar_0.6_500", "ar_-0.5_1500", "real_etfs", "real_crypto"]


def _atomic_csv(frame, path: Path, **kwargs) -> None:
    "Inside arch's environment, which has no wealtharena: write, then rename (wealtharena.files.atomic_write's way)."
    temporary = path.with_name(path.name + ".tmp")
    frame.to_csv(temporary, **kwargs)
    temporary.replace(path)


def inner(inputs: Path) -> None:
    "Inside arch's environment: block lengths of every series and percentile intervals of a few."
    import pandas as pd
    from arch.bootstrap import StationaryBootstrap, optimal_block_length

    series = pd.read_csv(inputs)
    lengths = {}
    for name, group in series.groupby("series", sort=False):
        row = optimal_block_length(group["value"].to_numpy()).iloc[0]
        lengths[name] = {"n_obs": len(group), "b_sb": row["stationary"], "b_cb": row["circular"]}
    lengths = pd.DataFrame(lengths).T.rename_axis("series")
    lengths["n_obs"] = lengths["n_obs"].astype(int)
    _atomic_csv(lengths, DATA / "arch_references.csv", float_format="%.15g")

    def sharpe(x):
        return x.mean() / x.std(ddof=1) * np.sqrt(252)

    rows = []
    for name in INTERVALS:
        values = series.loc[series["series"] == name, "value"].to_numpy()
        block = max(1.0, float(lengths.loc[name, "b_sb"]))
        for statistic, function in (("mean", np.mean), ("sharpe", sharpe)):
            bootstrap = StationaryBootstrap(block, values, seed=0)
            low, high = bootstrap.conf_int(function, reps=10_000, method="percentile", size=0.95)
            rows.append({"series": name, "statistic": statistic, "block_length": block, "low": low[0],
                         "high": high[0]})  # fmt: skip
    _atomic_csv(pd.DataFrame(rows).set_index("series"), DATA / "arch_intervals.csv", float_format="%.15g")


def reference_series():
    "The input series: seeded fat-tailed AR(1) paths and one symbol's daily returns per asset class."
    import pandas as pd

    from wealtharena.data import load_market

    rng = np.random.default_rng(20261126)
    frames = []
    for phi in (0.0, 0.3, 0.6, 0.9, -0.5):
        for n in (100, 500, 1500):
            shocks = rng.standard_t(4, size=n + 200)
            path = np.zeros_like(shocks)
            for t in range(1, len(shocks)):
                path[t] = phi * path[t - 1] + shocks[t]
            frames.append(pd.DataFrame({"series": f"ar_{phi}_{n}", "value": path[200:]}))
    for asset_class, symbol in REAL.items():
        bars = load_market(asset_class).query("symbol == @symbol").set_index("date")["close"]
        if bars.empty:
            raise SystemExit(f"no bundled bars for {symbol} ({asset_class})")
        start, end = ("2015-01-01", "2018-12-31") if asset_class == "crypto" else ("2010-01-01", "2013-12-31")
        returns = bars.pct_change().loc[start:end].dropna()
        frames.append(pd.DataFrame({"series": f"real_{asset_class}", "value": returns.to_numpy()}))
        frames.append(pd.DataFrame({"series": f"abs_{asset_class}", "value": returns.abs().to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", type=Path, metavar="INPUTS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(args.inner)
    DATA.mkdir(parents=True, exist_ok=True)
    inputs = DATA / "arch_inputs.csv.gz"
    from wealtharena.files import atomic_write

    series = reference_series()
    atomic_write(inputs, lambda temporary: series.to_csv(temporary, index=False, float_format="%.12g",
                                                         compression="gzip"))  # fmt: skip
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", ARCH, "pandas"], check=True)
    subprocess.run([str(python), __file__, "--inner", str(inputs)], check=True)
    print(f"wrote {inputs.name}, arch_references.csv and arch_intervals.csv in {DATA}")


if __name__ == "__main__":
    main()
