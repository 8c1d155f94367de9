import jax
import jax.numpy as jnp
import numpy as np
import rlax

from pgkit import returns


def test_gae_matches_rlax_without_truncation():
  k = jax.random.split(jax.random.PRNGKey(0), 3)
  T, gamma, lam = 12, 0.97, 0.9
  r = jax.random.normal(k[0], (T,))
  v = jax.random.normal(k[1], (T + 1,))
  term = (jax.random.uniform(k[2], (T,)) < 0.2).astype(jnp.float32)
  # Without truncations the successor value is V(s_{t+1}) (unused where the episode terminated).
  adv = returns.gae(r, v[:-1], v[1:], term, jnp.zeros(T), gamma, lam)
  expected = rlax.truncated_generalized_advantage_estimation(r, gamma * (1 - term), lam, v)
  np.testing.assert_allclose(adv, expected, rtol=1e-5, atol=1e-6)


def test_gae_truncation_in_the_middle_hand_derived():
  # T = 4, γ = 0.5, λ = 0.5. Step 1 is truncated (time limit): its successor s'_1 is the final
  # observation with V(s'_1) = 10, and the trace is cut. Step 3 is the window's last step.
  r = jnp.array([1.0, 2.0, 3.0, 4.0])
  v = jnp.array([0.5, 1.0, 2.0, 3.0])
  nv = jnp.array([1.0, 10.0, 3.0, 6.0])  # nv[0] = v[1], nv[2] = v[3]; nv[3] bootstraps
  term = jnp.zeros(4)
  trunc = jnp.array([0.0, 1.0, 0.0, 0.0])
  # δ = r + γ·nv − v:  δ0 = 1 + 0.5 − 0.5 = 1;  δ1 = 2 + 5 − 1 = 6;  δ2 = 3 + 1.5 − 2 = 2.5;
  # δ3 = 4 + 3 − 3 = 4.  A3 = 4;  A2 = 2.5 + 0.25·4 = 3.5;  A1 = 6 (trace cut);
  # A0 = 1 + 0.25·6 = 2.5.
  adv = returns.gae(r, v, nv, term, trunc, 0.5, 0.5)
  np.testing.assert_allclose(adv, [2.5, 6.0, 3.5, 4.0], rtol=1e-6)
  # A termination at step 1 instead drops the bootstrap as well: δ1 = 2 − 1 = 1, A0 = 1.25.
  adv = returns.gae(r, v, nv, jnp.array([0.0, 1.0, 0.0, 0.0]), jnp.zeros(4), 0.5, 0.5)
  np.testing.assert_allclose(adv, [1.25, 1.0, 3.5, 4.0], rtol=1e-6)


def test_reward_to_go_hand_and_rlax():
  r = jnp.array([1.0, 2.0, 3.0, 4.0])
  term = jnp.array([0.0, 1.0, 0.0, 0.0])
  # Episode 1: G1 = 2, G0 = 1 + 0.5·2 = 2. Episode 2 bootstraps V = 8 at the end:
  # G3 = 4 + 0.5·8 = 8, G2 = 3 + 0.5·8 = 7.
  g = returns.reward_to_go(r, jnp.array([0.0, 0.0, 0.0, 8.0]), term, jnp.zeros(4), 0.5)
  np.testing.assert_allclose(g, [2.0, 2.0, 7.0, 8.0], rtol=1e-6)
  expected = rlax.discounted_returns(r, 0.5 * (1 - term), jnp.array(8.0))
  np.testing.assert_allclose(g, expected, rtol=1e-6)
  # A truncation at step 1 bootstraps from V(s'_1) = 6: G1 = 2 + 3 = 5, G0 = 1 + 2.5 = 3.5.
  g = returns.reward_to_go(r, jnp.array([0.0, 6.0, 0.0, 8.0]), jnp.zeros(4),
                           jnp.array([0.0, 1.0, 0.0, 0.0]), 0.5)
  np.testing.assert_allclose(g, [3.5, 5.0, 7.0, 8.0], rtol=1e-6)


def test_gae_vmaps_over_traced_lambda():
  r, v = jnp.ones(5), jnp.zeros(5)
  out = jax.jit(jax.vmap(lambda lam: returns.gae(r, v, v, jnp.zeros(5), jnp.zeros(5), 1.0, lam)))(
      jnp.array([0.0, 1.0]))
  np.testing.assert_allclose(out[0], np.ones(5))  # λ=0: A = δ = 1
  np.testing.assert_allclose(out[1], [5, 4, 3, 2, 1])  # λ=1, γ=1: sum of future rewards


def test_within_sequences_is_rlax_gae_on_each_sequence():
  """A 12-step trajectory cut into 3 sequences of 4: each sequence's advantages are rlax's GAE of
  that sequence alone, bootstrapped from V(s_{t+1}) at its last step; the termination at step 6
  still zeroes the bootstrap there."""
  from pgkit.algorithms.base import within_sequences
  key1, key2 = jax.random.split(jax.random.PRNGKey(3))
  r = jax.random.normal(key1, (12,))
  v_all = jax.random.normal(key2, (13,))  # V(s_0) ... V(s_12)
  term = jnp.zeros(12).at[6].set(1.0)
  gamma, lam = 0.9, 0.8
  fn = within_sequences(lambda *a: returns.gae(*a, gamma, lam), 4)
  got = fn(r, v_all[:-1], v_all[1:], term, jnp.zeros(12))
  for start in (0, 4, 8):
    s = slice(start, start + 4)
    expected = rlax.truncated_generalized_advantage_estimation(
        r[s], gamma * (1 - term[s]), lam, v_all[start:start + 5])
    np.testing.assert_allclose(got[s], expected, rtol=1e-5, atol=1e-6)


def test_lambda_return_advantage_is_brax_ppo_advantage():
  """Without truncations, Brax PPO's own ``compute_gae`` advantages (r_t + γ(1 − term_t)·vs_{t+1}
  − V(s_t), vs_T = V(s_T)) and value targets (its ``vs`` = GAE + V)."""
  from brax.training.agents.ppo import losses as brax_losses
  k = jax.random.split(jax.random.PRNGKey(1), 3)
  T, B, gamma, lam = 10, 3, 0.97, 0.95
  r = jax.random.normal(k[0], (T, B))
  v = jax.random.normal(k[1], (T + 1, B))
  term = (jax.random.uniform(k[2], (T, B)) < 0.2).astype(jnp.float32)
  vs, expected = brax_losses.compute_gae(jnp.zeros((T, B)), term, r, v[:-1], v[-1], lam, gamma)
  over = lambda fn: jax.vmap(fn, in_axes=1, out_axes=1)(r, v[:-1], v[1:], term, jnp.zeros((T, B)))
  adv, targets = over(lambda *a: returns.lambda_return_advantage(*a, gamma, lam))
  np.testing.assert_allclose(adv, expected, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(targets, vs, rtol=1e-5, atol=1e-5)
  # It is not GAE: the difference is γ(1 − λ)(1 − term_t)·A^λ_{t+1}.
  gae = over(lambda *a: returns.gae(*a, gamma, lam))
  next_gae = jnp.concatenate([gae[1:], jnp.zeros((1, B))])
  np.testing.assert_allclose(adv - gae, gamma * (1 - lam) * (1 - term) * next_gae, atol=1e-5)
  assert float(jnp.max(jnp.abs(adv - gae))) > 1e-2


def test_lambda_return_advantage_truncation_hand_derived():
  # The 4-step example above (γ = λ = 0.5, truncated at step 1): δ = [1, 6, 2.5, 4] and
  # A^λ = [2.5, 6, 3.5, 4]. A_t = δ_t + γ(1 − trunc_t)·A^λ_{t+1}: A0 = 1 + 0.5·6 = 4;
  # A1 = 6 (the truncation bootstraps from V(s'_1) alone); A2 = 2.5 + 0.5·4 = 4.5; A3 = δ3 = 4.
  r = jnp.array([1.0, 2.0, 3.0, 4.0])
  v = jnp.array([0.5, 1.0, 2.0, 3.0])
  nv = jnp.array([1.0, 10.0, 3.0, 6.0])
  trunc = jnp.array([0.0, 1.0, 0.0, 0.0])
  adv, target = returns.lambda_return_advantage(r, v, nv, jnp.zeros(4), trunc, 0.5, 0.5)
  np.testing.assert_allclose(adv, [4.0, 6.0, 4.5, 4.0], rtol=1e-6)
  np.testing.assert_allclose(target, np.array([2.5, 6.0, 3.5, 4.0]) + v, rtol=1e-6)  # A^λ + V
  # λ = 1: the λ-return is the discounted return and both estimators agree (GAE(γ, 1)).
  one, _ = returns.lambda_return_advantage(r, v, nv, jnp.zeros(4), trunc, 0.5, 1.0)
  np.testing.assert_allclose(one, returns.gae(r, v, nv, jnp.zeros(4), trunc, 0.5, 1.0), rtol=1e-6)
