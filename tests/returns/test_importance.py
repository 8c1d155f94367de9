import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import returns

# Per-step log-ratios log(π/μ) over T = 5 steps; the first episode ends at step 1 (done),
# the second runs to the end of the window.
RATIOS = np.array([2.0, 0.5, 3.0, 0.25, 4.0])
DONE = jnp.array([0.0, 1.0, 0.0, 0.0, 0.0])
LP = jnp.log(jnp.asarray(RATIOS))
BLP = jnp.zeros(5)


def test_per_step():
  out = returns.importance_ratio("per_step", LP, BLP, DONE)
  np.testing.assert_allclose(out, RATIOS, rtol=1e-6)


def test_per_decision_hand_products():
  # Episode 1: [2, 2·0.5] ; episode 2: [3, 3·0.25, 3·0.25·4].
  out = returns.importance_ratio("per_decision", LP, BLP, DONE)
  np.testing.assert_allclose(out, [2.0, 1.0, 3.0, 0.75, 3.0], rtol=1e-6)


def test_trajectory_hand_products():
  # Whole-episode products: episode 1: 2·0.5 = 1; episode 2: 3·0.25·4 = 3.
  out = returns.importance_ratio("trajectory", LP, BLP, DONE)
  np.testing.assert_allclose(out, [1.0, 1.0, 3.0, 3.0, 3.0], rtol=1e-6)


def test_truncation_and_bad_kind():
  out = returns.importance_ratio("per_decision", LP, BLP, DONE, max_ratio=1.5)
  np.testing.assert_allclose(out, [1.5, 1.0, 1.5, 0.75, 1.5], rtol=1e-6)
  with pytest.raises(ValueError, match="importance ratio kind"):
    returns.importance_ratio("bogus", LP, BLP, DONE)
