"""The critic's products in float32 and in bfloat16 (``critic_matmul``) on this machine.

Run: python examples/benchmarks/matmul_precision.py [layouts]
Times, inside one jitted ``lax.scan`` of 50 steps, the three products of one 256×256 layer on a
5,120-sample minibatch (Brax's inverted_pendulum PPO settings: 5×256 value network, minibatches
of 1,024 sequences × 5 steps), then one epoch of 32 Adam updates of the whole value network.
With ``layouts``, instead: the weight gradient ``∂w = xᵀ g`` (the slow one, contracted over the
5,120 samples) in other layouts and splits, float32.
"""
import sys
import time

import jax
import jax.numpy as jnp
import optax

from pgkit import networks
from pgkit.networks.matmul import bfloat16_product, contracting

N, WIDTH, REPEATS = 5120, 256, 50


def best_of_three(fn, *args) -> float:
  jax.block_until_ready(fn(*args))
  times = []
  for _ in range(3):
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    times.append(time.perf_counter() - start)
  return min(times)


def scan_ms(mul, a, b) -> float:
  """ms of ``mul(a, b)``, one per scan step; adding the carry to both operands keeps it in the
  loop."""
  body = lambda c, _: (c + 1e-9 * mul(a + c, b + c).sum(), None)
  fn = jax.jit(lambda: jax.lax.scan(body, jnp.float32(1.0), None, length=REPEATS)[0])
  return 1000 * best_of_three(fn) / REPEATS


def product_ms(dims, a, b, bf16: bool) -> float:
  if bf16:
    return scan_ms(lambda x, y: bfloat16_product(x, y, dims), a, b)
  return scan_ms(lambda x, y: jax.lax.dot_general(x, y, dims), a, b)


def epoch_ms(matmul: str) -> float:
  critic = networks.value_critic(4, (WIDTH,) * 5, "swish", matmul)
  keys = jax.random.split(jax.random.PRNGKey(0), 3)
  obs, target = jax.random.normal(keys[0], (32, N, 4)), jax.random.normal(keys[1], (32, N))
  params, opt = critic.init(keys[2]), optax.adam(3e-4)

  def update(carry, batch):
    p, s = carry
    g = jax.grad(lambda p: jnp.mean((critic.apply(p, batch[0]) - batch[1]) ** 2))(p)
    u, s = opt.update(g, s, p)
    return (optax.apply_updates(p, u), s), None

  fn = jax.jit(lambda p, s: jax.lax.scan(update, (p, s), (obs, target))[0])
  return 1000 * best_of_three(fn, params, opt.init(params))


def chunked_weight_gradient(chunks: int):
  """``∂w = Σ_c x_cᵀ g_c`` over ``chunks`` equal slices of the batch (one batched product)."""
  def mul(x, g):
    split = lambda a: a.reshape(chunks, a.shape[0] // chunks, a.shape[1])
    return jax.lax.dot_general(split(x), split(g), (((1,), (1,)), ((0,), (0,)))).sum(0)
  return mul


def layouts(x, g) -> None:
  """``∂w = xᵀ g`` as JAX's transpose rule gives it to XLA, on operands already transposed
  (their transposes not timed), behind a transpose XLA keeps (``optimization_barrier``), and as
  a sum over batch chunks."""
  dot = lambda dims: (lambda a, b: jax.lax.dot_general(a, b, dims))
  cases = [("xᵀ g (JAX's own)", dot(contracting(0, 0)), x, g),
           ("(xᵀ) g, xᵀ given", dot(contracting(1, 0)), x.T, g),
           ("(xᵀ)(gᵀ)ᵀ, both given", dot(contracting(1, 1)), x.T, g.T),
           ("barrier(xᵀ) g", lambda a, b: jax.lax.dot_general(
               jax.lax.optimization_barrier(a.T), b, contracting(1, 0)), x, g)]
  cases += [(f"sum over {c} chunks", chunked_weight_gradient(c), x, g) for c in (2, 4, 10)]
  flops = 2 * x.shape[0] * WIDTH * WIDTH
  for name, mul, a, b in cases:
    ms = scan_ms(mul, a, b)
    print(f"∂w {name:24s} {ms:6.2f} ms ({flops / ms / 1e6:3.0f} GFLOP/s)")


def main():
  k = jax.random.split(jax.random.PRNGKey(1), 3)
  x, w, g = (jax.random.normal(k[0], (N, WIDTH)), jax.random.normal(k[1], (WIDTH, WIDTH)),
             jax.random.normal(k[2], (N, WIDTH)))
  flops = 2 * N * WIDTH * WIDTH
  print(f"jax {jax.__version__}; one {N}×{WIDTH} @ {WIDTH}×{WIDTH} layer, ms (GFLOP/s)")
  if sys.argv[1:] == ["layouts"]:
    return layouts(x, g)
  products = (("forward x w", contracting(1, 0), x, w), ("∂x = g wᵀ", contracting(1, 1), g, w),
              ("∂w = xᵀ g", contracting(0, 0), x, g))
  for name, dims, a, b in products:
    f32, bf16 = product_ms(dims, a, b, False), product_ms(dims, a, b, True)
    print(f"{name:12s} float32 {f32:6.2f} ({flops / f32 / 1e6:3.0f})   "
          f"bfloat16 {bf16:6.2f} ({flops / bf16 / 1e6:3.0f})")
  for matmul in ("float32", "bfloat16"):
    print(f"critic epoch (32 Adam updates, 5×{WIDTH} swish), {matmul}: "
          f"{epoch_ms(matmul):.0f} ms")


if __name__ == "__main__":
  main()
