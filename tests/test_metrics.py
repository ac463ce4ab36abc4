"""wealtharena.metrics against empyrical-reloaded, to 1e-9, on random and awkward return series."""

import empyrical
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from wealtharena import metrics

PAIRS = {  # our function -> empyrical's, with the keyword arguments both take
    "annual_return": {},
    "annual_volatility": {},
    "sharpe_ratio": {},
    "sortino_ratio": {},
    "calmar_ratio": {},
    "max_drawdown": {},
    "conditional_value_at_risk": {},
    "downside_risk": {},
    "cum_returns_final": {},
}
KWARGS = [
    ("sharpe_ratio", dict(risk_free=0.0001)),
    ("sharpe_ratio", dict(period="weekly")),
    ("sortino_ratio", dict(required_return=0.001)),
    ("annual_volatility", dict(alpha=3.0)),
    ("annual_return", dict(annualization=365)),
    ("calmar_ratio", dict(period="monthly")),
    ("conditional_value_at_risk", dict(cutoff=0.1)),
    ("downside_risk", dict(required_return=-0.001)),
]


def same(ours, theirs):
    ours, theirs = float(ours), float(theirs)
    if np.isnan(theirs) or np.isnan(ours):
        return np.isnan(theirs) and np.isnan(ours)
    if np.isinf(theirs) or np.isinf(ours):
        return ours == theirs
    return abs(ours - theirs) <= 1e-9 * max(1.0, abs(theirs))


returns_arrays = arrays(
    np.float64,
    st.integers(0, 300),
    elements=st.one_of(st.floats(-0.5, 0.5, allow_nan=False), st.just(np.nan), st.just(0.0)),
)


@settings(max_examples=150, deadline=None)
@given(returns_arrays)
@pytest.mark.parametrize("name", list(PAIRS))
def test_matches_empyrical_on_random_series(name, values):
    for data in (values, pd.Series(values, index=pd.bdate_range("2020-01-01", periods=len(values)))):
        assert same(getattr(metrics, name)(data), getattr(empyrical, name)(data)), (name, values)


@pytest.mark.parametrize("name,kwargs", KWARGS)
def test_matches_empyrical_with_arguments(name, kwargs):
    rng = np.random.default_rng(0)
    for values in (rng.normal(0.0005, 0.01, 1500), rng.standard_t(3, 400) * 0.02):
        assert same(getattr(metrics, name)(values, **kwargs), getattr(empyrical, name)(values, **kwargs))


@pytest.mark.parametrize(
    "values", [[], [0.01], [0.01, 0.01, 0.01], [0.0] * 10, [np.nan, 0.02, -0.01], [-0.99, 0.5], [0.05] * 5 + [-0.3]]
)
@pytest.mark.parametrize("name", list(PAIRS))
def test_matches_empyrical_on_edge_cases(name, values):
    values = np.array(values, dtype=float)
    assert same(getattr(metrics, name)(values), getattr(empyrical, name)(values))


def test_max_drawdown_duration_on_a_known_path():
    assert (
        metrics.max_drawdown_duration([0.1, -0.05, -0.05, 0.2, -0.01]) == 2
    )  # two days under 1.1, a new peak, one day under it
