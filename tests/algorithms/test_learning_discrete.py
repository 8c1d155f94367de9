"""Learning tests on a discrete env: every algorithm's gymnax/CartPole-v1 preset with a
categorical policy (the run settings' ``policy=auto``), on a budget cut for the test suite.

As in test_learning.py, seeds 0, 1 and 2 train as one vmapped population in one compiled call
and each seed's deterministic policy is evaluated over 16 episodes of up to 500 steps (500 is
the maximum). The budgets are cut far below the presets' (which reach 475-500,
examples/benchmarks/RESULTS.md) to keep the suite's time down, so the test asks for learning,
not solving: at least 2 of the 3 seeds reach 75. In the one measured run of these budgets
(2-core CPU) the slowest learners (npg, trpo, vmpo) ended between 96 and 138 on every seed,
the others at 124-500.

The default suite runs, on the categorical policy, the three algorithms whose inverted_pendulum
learning test is marked ``slow`` (test_learning.py): trpo_vine (natural gradient by CG with a KL
line search, and vine branching), mpo (discrete E-step and Q critic) and vmpo, so every
algorithm learns in the default run on one env. The others share those paths (the same
losses, preconditioners and trainer on a categorical policy) and learn in the default run on
inverted_pendulum; their CartPole tests are marked ``slow`` to keep the suite within its time
limit (ppo_clip's and is_pg's since 2026-12-05: 46 and 20 worker-seconds on an Intel Xeon VM
whose default suite took 860 s) and run with ``python -m pytest -m slow``.
"""
import numpy as np
import pytest

from pgkit.bench.robustness import population_returns

ENV, SEEDS, THRESHOLD = "gymnax/CartPole-v1", 3, 75.0
# Env steps per test (each algorithm's CartPole preset otherwise).
BUDGETS = {"ppo_clip": 100_000, "ppo_kl": 100_000, "npg": 100_000, "trpo": 100_000,
           "trpo_vine": 100_000, "a2c": 100_000, "reinforce": 100_000, "is_pg": 100_000,
           "vmpo": 100_000, "mpo": 30_720}


SLOW = ("a2c", "reinforce", "ppo_kl", "npg", "trpo", "ppo_clip", "is_pg")
ALGOS = [pytest.param(a, marks=pytest.mark.slow) if a in SLOW else a for a in BUDGETS]


@pytest.mark.parametrize("algo", ALGOS)
def test_learns_cartpole(algo):
  returns = population_returns(algo, ENV, SEEDS, num_timesteps=BUDGETS[algo])
  print(f"{algo}: final eval returns of seeds 0-{SEEDS - 1}: {np.round(returns, 1)}")  # -rP
  assert np.sum(returns >= THRESHOLD) >= 2, (algo, returns.tolist())
