"""Causality of every feature on random price paths: changing the future never changes the past."""

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from wealtharena.features import changed_before, compute_features


def random_ohlcv(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    open_ = close * np.exp(rng.normal(0, 0.005, n))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, n))
    return pd.DataFrame(
        {
            "date": pd.bdate_range("2010-01-01", periods=n),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": rng.uniform(1e3, 1e4, n),
        }
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(230, 500), cut_fraction=st.floats(0.05, 0.95))
def test_no_feature_looks_ahead(seed, n, cut_fraction):
    prices = random_ohlcv(seed, n)
    cut = int(cut_fraction * (n - 2))
    assert changed_before(compute_features, prices, cut, seed=seed) == []


def test_every_feature_is_present_on_full_ohlcv():
    feats = compute_features(random_ohlcv(0, 300))
    for name in [
        "ret_1d",
        "log_ret_1d",
        "vol_20d",
        "rsi_14",
        "macd",
        "macd_signal",
        "bb_pct_b",
        "ma_ratio_50",
        "atr_14",
        "volume_z_20",
        "trend_regime",
        "vol_regime",
    ]:
        assert name in feats.columns and feats[name].notna().any(), name
