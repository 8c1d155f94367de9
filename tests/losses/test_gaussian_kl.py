import distrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import losses
from pgkit.networks import TanhNormal


def _pair(seed, d=3, b=5):
  k = jax.random.split(jax.random.PRNGKey(seed), 4)
  mu_o, mu_n = jax.random.normal(k[0], (b, d)), jax.random.normal(k[1], (b, d))
  sd_o = jnp.exp(0.5 * jax.random.normal(k[2], (b, d)))
  sd_n = jnp.exp(0.5 * jax.random.normal(k[3], (b, d)))
  return mu_o, sd_o, mu_n, sd_n


def _full(mu_o, sd_o, mu_n, sd_n):
  return distrax.MultivariateNormalDiag(mu_o, sd_o).kl_divergence(
      distrax.MultivariateNormalDiag(mu_n, sd_n))


def test_parts_against_distrax_and_full_kl():
  mu_o, sd_o, mu_n, sd_n = _pair(0)
  old = distrax.MultivariateNormalDiag(mu_o, sd_o)
  new = distrax.MultivariateNormalDiag(mu_n, sd_n)
  kl_mean, kl_cov = losses.decoupled_gaussian_kl(old, new)
  np.testing.assert_allclose(kl_mean, _full(mu_o, sd_o, mu_n, sd_o), rtol=1e-5)
  np.testing.assert_allclose(kl_cov, _full(mu_o, sd_o, mu_o, sd_n), rtol=1e-5, atol=1e-6)
  # Only the mean moved, or only the std moved: the parts sum to the full KL exactly.
  for m, s in ((mu_n, sd_o), (mu_o, sd_n)):
    a, c = losses.decoupled_gaussian_kl(old, distrax.MultivariateNormalDiag(m, s))
    np.testing.assert_allclose(a + c, _full(mu_o, sd_o, m, s), rtol=1e-5, atol=1e-6)
  # In general: KL = KL_Σ + Σ_d KL_μ,d σ_o,d² / σ_θ,d² (exact), per dimension.
  a, c = losses.decoupled_gaussian_kl(old, new, per_dimension=True)
  assert a.shape == c.shape == (5, 3)
  np.testing.assert_allclose(jnp.sum(c + a * (sd_o / sd_n) ** 2, -1), _full(mu_o, sd_o, mu_n, sd_n),
                             rtol=1e-5)
  # Near θ_old the plain sum agrees to second order (error is third order in the step).
  errs = []
  for h in (1e-1, 1e-2):
    m, s = mu_o + h * (mu_n - mu_o), sd_o * jnp.exp(h * jnp.log(sd_n / sd_o))
    a, c = losses.decoupled_gaussian_kl(old, distrax.MultivariateNormalDiag(m, s))
    errs.append(np.abs(np.asarray(a + c - _full(mu_o, sd_o, m, s), np.float64)))
  assert np.all(errs[1] < 3e-3 * errs[0])   # cubic: shrinks 1000x for a 10x smaller step


def test_tanh_normal_uses_base_gaussian_and_decoupled_policies():
  mu_o, sd_o, mu_n, sd_n = _pair(1)
  old, new = TanhNormal(mu_o, sd_o), TanhNormal(mu_n, sd_n)
  a, c = losses.decoupled_gaussian_kl(old, new)
  a_ref, c_ref = losses.decoupled_gaussian_kl(distrax.MultivariateNormalDiag(mu_o, sd_o),
                                              distrax.MultivariateNormalDiag(mu_n, sd_n))
  np.testing.assert_allclose(a, a_ref, rtol=1e-6)
  np.testing.assert_allclose(c, c_ref, rtol=1e-6)
  pi_mu, pi_sigma = losses.decoupled_policies(old, new)
  assert isinstance(pi_mu, TanhNormal) and isinstance(pi_sigma, TanhNormal)
  np.testing.assert_allclose(old.kl_divergence(pi_mu), a, rtol=1e-5)
  np.testing.assert_allclose(old.kl_divergence(pi_sigma), c, rtol=1e-5, atol=1e-6)


def test_gradients_split_mean_and_std():
  mu_o, sd_o, mu_n, sd_n = _pair(2)
  old = distrax.MultivariateNormalDiag(mu_o, sd_o)
  def parts(mu, sd):
    return losses.decoupled_gaussian_kl(old, distrax.MultivariateNormalDiag(mu, sd))
  g_mean = jax.grad(lambda mu, sd: parts(mu, sd)[0].sum(), argnums=(0, 1))(mu_n, sd_n)
  g_cov = jax.grad(lambda mu, sd: parts(mu, sd)[1].sum(), argnums=(0, 1))(mu_n, sd_n)
  assert np.all(g_mean[1] == 0) and np.any(g_mean[0] != 0)
  assert np.all(g_cov[0] == 0) and np.any(g_cov[1] != 0)
  g_old = jax.grad(lambda m: losses.decoupled_gaussian_kl(
      distrax.MultivariateNormalDiag(m, sd_o), distrax.MultivariateNormalDiag(mu_n, sd_n))[0].sum())(mu_o)
  assert np.all(g_old == 0)


def test_rejects_non_gaussian():
  with pytest.raises(TypeError):
    losses.decoupled_gaussian_kl(distrax.Categorical(logits=jnp.zeros(3)),
                                 distrax.Categorical(logits=jnp.zeros(3)))
