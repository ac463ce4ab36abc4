"""Backtester properties on random paths, and the Ledoit-Wolf estimator against scikit-learn's."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.covariance import ledoit_wolf as sk_ledoit_wolf

from wealtharena.backtest import backtest
from wealtharena.execution import CostModel
from wealtharena.baselines import STRATEGIES, ledoit_wolf


def random_prices(seed, n_bars, n_assets):
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_bars, n_assets)), axis=0))
    return pd.DataFrame(
        close, index=pd.bdate_range("2020-01-01", periods=n_bars), columns=[f"A{i}" for i in range(n_assets)]
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_bars=st.integers(3, 80),
    n_assets=st.integers(1, 4),
    commission=st.floats(0, 50),
    slippage=st.floats(0, 50),
    hold_prob=st.floats(0, 0.9),
)
def test_accounting_reconciles_and_costs_are_never_negative(seed, n_bars, n_assets, commission, slippage, hold_prob):
    close = random_prices(seed, n_bars, n_assets)
    rng = np.random.default_rng(seed + 1)
    weights = pd.DataFrame(rng.uniform(-1, 1, close.shape) / n_assets, index=close.index, columns=close.columns)
    weights = weights.mask(rng.random(close.shape) < hold_prob)
    result = backtest(
        close, weights, fill_prices=close * rng.uniform(0.98, 1.02, close.shape), costs=CostModel(commission, slippage)
    )
    np.testing.assert_allclose(result.cash + (result.shares * close).sum(axis=1), result.equity, rtol=1e-12, atol=1e-12)
    assert (result.commission >= 0).all() and (result.slippage >= 0).all() and (result.traded.fillna(0) >= 0).all()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_bars=st.integers(3, 120))
def test_zero_cost_buy_once_equals_buy_and_hold(seed, n_bars):
    close = random_prices(seed, n_bars, 1)
    weights = STRATEGIES["buy_and_hold"](close)
    result = backtest(close, weights, costs=CostModel(0, 0))
    expected = close.iloc[1:, 0] / close.iloc[1, 0]
    np.testing.assert_allclose(result.equity.iloc[1:], expected, rtol=1e-12)


def test_changing_the_future_leaves_the_past_alone():
    close = random_prices(3, 60, 2)
    weights = pd.DataFrame(
        np.sign(np.random.default_rng(0).normal(size=close.shape)) / 2, index=close.index, columns=close.columns
    )
    base = backtest(close, weights).equity
    shocked = close.copy()
    shocked.iloc[30:] *= 2
    assert backtest(shocked, weights).equity.iloc[:30].tolist() == base.iloc[:30].tolist()


@pytest.mark.parametrize("shape", [(50, 3), (252, 20), (30, 40)])
def test_ledoit_wolf_matches_scikit_learn(shape):
    x = np.random.default_rng(shape[1]).standard_t(4, shape) * 0.01
    ours, our_shrinkage = ledoit_wolf(x)
    theirs, their_shrinkage = sk_ledoit_wolf(x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
    assert abs(our_shrinkage - their_shrinkage) < 1e-12


def test_bad_inputs_are_refused_with_their_place():
    close = random_prices(0, 10, 2)
    with pytest.raises(ValueError, match="'A1' has price nan"):
        backtest(close.assign(A1=np.nan), close * 0)
    with pytest.raises(ValueError, match="infinite"):
        backtest(close, (close * 0).assign(A0=np.inf))
    with pytest.raises(ValueError, match=r"asset\(s\) \['B'\]"):
        backtest(close, pd.DataFrame({"B": 1.0}, index=close.index))
