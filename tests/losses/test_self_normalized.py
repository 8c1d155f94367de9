"""The vine estimator: hand-derived values, its gradient at θ_old, and the gradient split."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit.losses import LossTerms, self_normalized_surrogate

# K = 2 actions in each of N = 3 states, action-major: entry k·N + n.
Q = jnp.array([[1.0, 4.0, -2.0],
               [3.0, 0.0, 2.0]])
RATIO = jnp.array([[2.0, 1.0, 0.5],
                   [1.0, 1.0, 1.5]])


def _terms(log_prob, q=Q):
  return LossTerms(log_prob=log_prob.reshape(-1), behaviour_log_prob=jnp.zeros(Q.size),
                   advantage=q.reshape(-1))


def test_hand_derived_value():
  loss, metrics = self_normalized_surrogate(2).apply(_terms(jnp.log(RATIO)), {})
  # state 0: (2·1 + 1·3)/3 = 5/3; state 1: (4 + 0)/2 = 2; state 2: (0.5·−2 + 1.5·2)/2 = 1
  np.testing.assert_allclose(loss, -(5 / 3 + 2 + 1) / 3, rtol=1e-6)
  np.testing.assert_allclose(metrics["ratio_mean"], jnp.mean(RATIO), rtol=1e-6)


def test_gradient_at_old_policy_is_baseline_subtracted_policy_gradient():
  grad = jax.grad(lambda lp: self_normalized_surrogate(2).apply(_terms(lp), {})[0])(
      jnp.zeros_like(Q))
  # d/d log π_k of −mean_n Σ_k ρ_k Q_k / Σ_k ρ_k at ρ = 1: −(Q_k − mean_k Q) / (K·N)
  np.testing.assert_allclose(grad, -(Q - Q.mean(axis=0)) / Q.size, rtol=1e-6, atol=1e-7)


def test_shift_of_q_values_shifts_the_loss_only():
  tx = self_normalized_surrogate(2)
  f = lambda q: jax.value_and_grad(lambda lp: tx.apply(_terms(lp, q), {})[0])(jnp.log(RATIO))
  (l1, g1), (l2, g2) = f(Q), f(Q + 10.0)
  np.testing.assert_allclose(l2, l1 - 10.0, rtol=1e-5)
  np.testing.assert_allclose(g1, g2, rtol=1e-5, atol=1e-6)


def test_no_gradient_reaches_behaviour_log_probs_or_q_values():
  tx = self_normalized_surrogate(2)

  def loss(behaviour, q):
    terms = LossTerms(log_prob=jnp.log(RATIO).reshape(-1), behaviour_log_prob=behaviour,
                      advantage=q)
    return tx.apply(terms, {})[0]

  gb, gq = jax.grad(loss, argnums=(0, 1))(jnp.zeros(Q.size), Q.reshape(-1))
  np.testing.assert_array_equal(gb, 0.0)
  np.testing.assert_array_equal(gq, 0.0)


def test_bad_group_size():
  with pytest.raises(ValueError, match="num_actions"):
    self_normalized_surrogate(0)
  with pytest.raises(ValueError, match="num_actions=4"):
    self_normalized_surrogate(4).apply(_terms(jnp.zeros_like(Q)), {})
