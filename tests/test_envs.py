"""The environments: gymnasium's checker, SB3 training, accounting properties, no look-ahead, determinism, bad input."""

import warnings

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings, strategies as st

from wealtharena.backtest import backtest
from wealtharena.execution import CostModel, Limits
from wealtharena.portfolio_env import PortfolioEnv
from wealtharena.trading_env import TradingEnv
from wealtharena.vector_env import BatchedTradingEnv


def synthetic_prices(seed: int, n: int = 320, symbols=("AAA",), ohlc: bool = True) -> pd.DataFrame:
    "A random tidy panel with OHLCV for each symbol."
    rng = np.random.default_rng(seed)
    frames = []
    for symbol in symbols:
        close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
        open_ = close * np.exp(rng.normal(0, 0.005, n))
        frame = pd.DataFrame({"date": pd.bdate_range("2015-01-01", periods=n), "symbol": symbol, "close": close})
        if ohlc:
            frame["open"], frame["high"], frame["low"] = (
                open_,
                np.maximum(open_, close) * 1.01,
                np.minimum(open_, close) * 0.99,
            )
            frame["volume"] = rng.uniform(1e5, 1e6, n)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def quiet_check(env):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Box observation space (minimum|maximum) value is.*")
        check_env(env, skip_render_check=True)


@pytest.mark.parametrize("mode", ["discrete", "continuous"])
def test_trading_env_passes_check_env(mode):
    quiet_check(
        gym.make(
            "wealtharena/Trading-v0",
            asset_class="crypto",
            symbol="LTCUSD",
            action_mode=mode,
            episode_length=40,
            random_start=True,
        ).unwrapped
    )


@pytest.mark.parametrize("weighting", ["long_only", "long_short"])
def test_portfolio_env_passes_check_env(weighting):
    quiet_check(
        gym.make(
            "wealtharena/Portfolio-v0",
            asset_class="currencies",
            start="2015-01-01",
            end="2016-12-31",
            weighting=weighting,
            episode_length=40,
            random_start=True,
        ).unwrapped
    )


@pytest.mark.parametrize("mode", ["discrete", "continuous"])
def test_batched_env_steps_like_a_vector_env(mode):
    env = gym.make_vec(
        "wealtharena/BatchedTrading-v0",
        num_envs=5,
        vectorization_mode="vector_entry_point",
        asset_class="etfs",
        symbol="SPY",
        action_mode=mode,
        episode_length=30,
    )
    obs, _ = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    for _ in range(70):
        obs, rewards, terms, truncs, infos = env.step(env.action_space.sample())
        assert env.observation_space.contains(obs) and rewards.shape == (5,) and np.isfinite(rewards).all()


def test_sb3_ppo_trains_on_trading_env():
    from stable_baselines3 import PPO

    env = TradingEnv(
        asset_class="stocks", symbol="AAPL", start="2012-01-01", end="2014-12-31", episode_length=128, random_start=True
    )
    model = PPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=2, seed=0, device="cpu", verbose=0)
    model.learn(total_timesteps=384)
    action, _ = model.predict(env.reset(seed=0)[0], deterministic=True)
    assert env.action_space.contains(int(action))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    commission=st.floats(0, 30),
    slippage=st.floats(0, 30),
    impact=st.floats(0, 1),
    borrow=st.floats(0, 500),
    mode=st.sampled_from(["discrete", "continuous"]),
)
def test_trading_env_accounting_reconciles_and_costs_are_nonnegative(seed, commission, slippage, impact, borrow, mode):
    env = TradingEnv(
        prices=synthetic_prices(seed),
        window=3,
        action_mode=mode,
        initial_cash=1e5,
        costs=CostModel(commission, slippage, impact=impact, borrow_bps=borrow),
        limits=Limits(1.0, 1.0),
    )
    env.reset(seed=seed)
    env.action_space.seed(seed)
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(env.action_space.sample())
        price = env._close[env._t]
        assert info["equity"] == pytest.approx(env._cash + env._shares * price, rel=1e-12, abs=1e-9)
        assert info["step_costs"] >= 0
        done = terminated or truncated


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), buy_at=st.integers(0, 50))
def test_zero_cost_buy_once_and_hold_equals_buy_and_hold(seed, buy_at):
    env = TradingEnv(prices=synthetic_prices(seed), window=3, costs=CostModel(0, 0))
    env.reset()
    equities = []
    for step in range(env.episode_length):
        info = env.step(2 if step == buy_at else 1)[4]
        equities.append(info["equity"])
    fill = env._fill[env._first + buy_at + 1]
    closes = np.array(env._close[env._first + buy_at + 1 : env._first + env.episode_length + 1])
    np.testing.assert_allclose(equities[buy_at:], closes / fill, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(5, 60), mode=st.sampled_from(["discrete", "continuous"]))
def test_no_look_ahead(seed, cut, mode):
    prices = synthetic_prices(seed)
    shocked = prices.copy()
    later = shocked.index >= shocked.index[-1] - (len(shocked) - 1 - (230 + cut))  # rows after bar `230 + cut`
    for col in ("open", "high", "low", "close"):
        shocked.loc[later, col] *= 1.7
    runs = []
    for data in (prices, shocked):
        env = TradingEnv(
            prices=data, window=5, action_mode=mode, reward="0.5 * sharpe + pnl - 0.1 * drawdown - 0.1 * cvar"
        )
        obs, _ = env.reset()
        env.action_space.seed(seed)
        trace = [obs]
        while env._t < 230 + cut - 1 and env._t < env._last - 1:
            obs, reward, *_ = env.step(env.action_space.sample())
            trace += [obs, np.array([reward])]
        runs.append(trace)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_trajectory():
    def run(seed):
        env = TradingEnv(
            asset_class="crypto",
            symbol="BTCUSD",
            action_mode="continuous",
            episode_length=60,
            random_start=True,
            reward="sharpe",
        )
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        out = [obs]
        for _ in range(60):
            out.append(env.step(env.action_space.sample())[0])
        return np.array(out)

    np.testing.assert_array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))
    batch = lambda seed: BatchedTradingEnv(num_envs=4, asset_class="crypto", symbol="BTCUSD", episode_length=50).reset(
        seed=seed
    )[0]
    np.testing.assert_array_equal(batch(1), batch(1))


@pytest.mark.parametrize(
    "make,bad,message",
    [
        (lambda: TradingEnv(asset_class="stocks", symbol="KO"), 3, "0 (sell), 1 (hold) or 2 (buy)"),
        (lambda: TradingEnv(asset_class="stocks", symbol="KO", action_mode="continuous"), np.array([np.inf]), "finite"),
        (lambda: TradingEnv(asset_class="stocks", symbol="KO", action_mode="continuous"), np.zeros(2), "shape (1,)"),
        (lambda: PortfolioEnv(asset_class="currencies", end="2010-12-31"), np.zeros(3), "shape (7,)"),
        (lambda: PortfolioEnv(asset_class="currencies", end="2010-12-31"), np.full(7, np.nan), "finite"),
    ],
)
def test_bad_actions_say_what_was_received_and_expected(make, bad, message):
    env = make()
    env.reset()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        env.step(bad)


def test_out_of_range_continuous_actions_are_clipped_and_counted_everywhere():
    env = TradingEnv(asset_class="stocks", symbol="KO", action_mode="continuous", costs=CostModel(0, 0))
    env.reset()
    info = env.step(np.array([4.0], dtype=np.float32))[4]
    assert info["clipped_actions"] == 1 and info["position"] == pytest.approx(1.0)
    port = PortfolioEnv(asset_class="currencies", end="2010-12-31", weighting="long_short")
    port.reset()
    assert port.step(np.array([2, -2, 0, 0, 0, 0.5]))[4]["clipped_actions"] == 2


def test_portfolio_env_matches_backtest_with_random_weights():
    env = PortfolioEnv(
        prices=synthetic_prices(0, symbols=("A", "B", "C")),
        window=3,
        weighting="long_short",
        leverage=1.5,
        costs=CostModel(3, 4, borrow_bps=100),
        turnover_budget=0.5,
    )
    env.reset()
    actions = np.random.default_rng(0).uniform(-1, 1, (env.episode_length, 3))
    targets, moves, equities = [], [], [env.initial_cash]
    for a in actions:
        targets.append(env.target_weights(a))
        moves.append(np.abs(targets[-1] - env._weights()).sum())  # the budget bounds the move from the drifted weights
        equities.append(env.step(a)[4]["equity"])
    span = env.dates[env._start : env._start + len(actions) + 1]
    close = pd.DataFrame(env._close, index=env.dates, columns=env.symbols).loc[span]
    fills = pd.DataFrame(env._fill, index=env.dates, columns=env.symbols).loc[span]
    weights = pd.DataFrame(np.vstack([targets, np.full(3, np.nan)]), index=span, columns=env.symbols)
    np.testing.assert_allclose(
        equities, backtest(close, weights, fill_prices=fills, costs=env.costs).equity, rtol=1e-12
    )
    assert max(moves) <= 0.5 + 1e-9 and max(moves) > 0.49
