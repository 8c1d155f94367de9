"""bfloat16 matmuls: products of bfloat16-rounded operands, accumulated in float32, both ways."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import networks
from pgkit.networks.matmul import MATMULS, bfloat16_matmul
from pgkit.networks.mlp import MLP


def _rounded(a):
  """The bfloat16 value of each entry, exactly, as float64."""
  return np.asarray(jnp.asarray(a).astype(jnp.bfloat16).astype(jnp.float32), np.float64)


@pytest.fixture(scope="module")
def operands():
  k = jax.random.split(jax.random.PRNGKey(0), 3)
  return (jax.random.normal(k[0], (64, 48)), jax.random.normal(k[1], (48, 32)),
          jax.random.normal(k[2], (64, 32)))


def test_forward_is_the_product_of_the_rounded_operands(operands):
  x, w, _ = operands
  out = bfloat16_matmul(x, w)
  assert out.dtype == jnp.float32
  reference = _rounded(x) @ _rounded(w)  # float64: the exact product of the rounded values
  np.testing.assert_allclose(out, reference, rtol=1e-5, atol=1e-5)  # float32 accumulation
  # and not the float32 product: bfloat16 keeps 8 significant bits, so entries of 48-term sums
  # of N(0, 1) products move by ~0.01-0.1.
  exact = np.asarray(x, np.float64) @ np.asarray(w, np.float64)
  assert np.max(np.abs(np.asarray(out) - exact)) > 1e-2


def test_backward_rounds_the_cotangent_and_the_operands(operands):
  x, w, g = operands
  _, vjp = jax.vjp(bfloat16_matmul, x, w)
  dx, dw = vjp(g)
  # ∂x = bf16(g) bf16(w)ᵀ, ∂w = bf16(x)ᵀ bf16(g), in float64 from the rounded values.
  np.testing.assert_allclose(dx, _rounded(g) @ _rounded(w).T, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(dw, _rounded(x).T @ _rounded(g), rtol=1e-5, atol=1e-5)


def test_vmap_equals_one_product_per_member(operands):
  x, w, _ = operands
  xs, ws = jnp.stack([x, 2 * x]), jnp.stack([w, -w])
  out = jax.vmap(bfloat16_matmul)(xs, ws)
  np.testing.assert_allclose(out[1], bfloat16_matmul(2 * x, -w), rtol=1e-6)
  grads = jax.vmap(jax.grad(lambda a, b: jnp.sum(bfloat16_matmul(a, b) ** 2)))(xs, ws)
  np.testing.assert_allclose(grads[0], jax.grad(lambda a: jnp.sum(bfloat16_matmul(a, w) ** 2))(x),
                             rtol=1e-6)


def test_dense_hook_takes_only_a_matrix_times_the_kernel():
  with pytest.raises(ValueError, match=r"\[N, in\] @ \[in, out\]"):
    MATMULS["bfloat16"](jnp.ones((2, 3, 4)), jnp.ones((4, 5)), (((2,), (0,)), ((), ())))


def test_bfloat16_critic_has_the_float32_critics_parameters_and_close_values_and_gradients():
  exact = networks.value_critic(5, (32, 32), "swish")
  mixed = networks.value_critic(5, (32, 32), "swish", matmul="bfloat16")
  params = exact.init(jax.random.PRNGKey(1))
  assert jax.tree.structure(mixed.init(jax.random.PRNGKey(1))) == jax.tree.structure(params)
  obs = jax.random.normal(jax.random.PRNGKey(2), (3, 7, 5))  # [T, B, obs], as the trainer's
  v_exact, v_mixed = exact.apply(params, obs), mixed.apply(params, obs)
  assert v_mixed.shape == (3, 7) and v_mixed.dtype == jnp.float32
  # bfloat16 operands: relative errors of order 2⁻⁸ per product, not more.
  np.testing.assert_allclose(v_mixed, v_exact, rtol=3e-2, atol=3e-2)
  assert np.max(np.abs(np.asarray(v_mixed - v_exact))) > 1e-5  # the products are rounded
  loss = lambda c: lambda p: jnp.mean(c.apply(p, obs) ** 2)
  g_exact, g_mixed = jax.grad(loss(exact))(params), jax.grad(loss(mixed))(params)
  for a, b in zip(jax.tree.leaves(g_exact), jax.tree.leaves(g_mixed)):
    np.testing.assert_allclose(b, a, rtol=5e-2, atol=5e-2 * float(np.max(np.abs(a))))


def test_mlp_default_is_float32_exactly():
  net = MLP((8, 1), "tanh")
  params = net.init(jax.random.PRNGKey(0), jnp.zeros((1, 3)))
  x = jax.random.normal(jax.random.PRNGKey(1), (4, 3))
  w0, b0 = params["params"]["Dense_0"]["kernel"], params["params"]["Dense_0"]["bias"]
  w1, b1 = params["params"]["Dense_1"]["kernel"], params["params"]["Dense_1"]["bias"]
  x64 = np.asarray(x, np.float64)
  reference = np.tanh(x64 @ np.asarray(w0, np.float64) + np.asarray(b0)) @ np.asarray(w1) + b1
  np.testing.assert_allclose(net.apply(params, x), reference, rtol=1e-5, atol=1e-6)
