"""Reference values for the strategies chapter's indicators, computed by TA-Lib in a virtual environment of its own.

TA-Lib (the C library through its Python wrapper `ta-lib`) is the definition the strategies follow: Wilder's
smoothing seeded with a simple mean, EMAs seeded the same way, MACD's fast EMA started where the slow one starts, and
Bollinger bands with the population standard deviation. This script never installs TA-Lib into the project's
environment: it creates `bench/.venvs/talib`, installs `ta-lib` there, and runs itself inside it on SPY's bundled
daily bars of 2005-2006, writing the bars and TA-Lib's outputs to `tests/data/talib_references.csv`, which the chapter's
tests read. Run: python bench/talib_references.py   (needs the package index once, to install ta-lib)
"""

from __future__ import annotations

import argparse
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "talib_references.csv"
VENV = ROOT / "bench" / ".venvs" / "talib"
TALIB = "ta-lib==0.8.2"


def inner(bars_csv: Path, out: Path) -> None:
    "Inside the TA-Lib environment: add TA-Lib's indicators to the bars and write them atomically."
    import pandas as pd
    import talib

    bars = pd.read_csv(bars_csv, index_col="date")
    high, low, close = (bars[c].to_numpy(float) for c in ("high", "low", "close"))
    result = bars.copy()
    result["sma_20"], result["sma_50"] = talib.SMA(close, 20), talib.SMA(close, 50)
    result["ema_12"] = talib.EMA(close, 12)
    result["rsi_14"] = talib.RSI(close, 14)
    result["macd"], result["macd_signal"], result["macd_hist"] = talib.MACD(close, 12, 26, 9)
    result["bb_upper"], result["bb_middle"], result["bb_lower"] = talib.BBANDS(close, 20, 2.0, 2.0)
    result["atr_20"] = talib.ATR(high, low, close, 20)
    result["max_high_20"], result["min_low_20"] = talib.MAX(high, 20), talib.MIN(low, 20)
    result.attrs["talib"] = talib.__version__
    temporary = out.with_suffix(".tmp")
    result.to_csv(temporary, float_format="%.12g")
    temporary.replace(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", nargs=2, type=Path, metavar=("BARS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(*args.inner)
    from wealtharena.data import load_market

    spy = load_market("etfs").query("symbol == 'SPY'").set_index("date").loc["2005-01-01":"2006-12-31"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    bars_csv = OUT.with_name("talib_input.tmp.csv")
    spy[["open", "high", "low", "close"]].to_csv(bars_csv)
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", TALIB, "pandas"], check=True)
    subprocess.run([str(python), __file__, "--inner", str(bars_csv), str(OUT)], check=True)
    bars_csv.unlink()
    print(f"wrote {OUT.relative_to(ROOT)} ({len(spy)} bars of SPY, {TALIB})")


if __name__ == "__main__":
    main()
