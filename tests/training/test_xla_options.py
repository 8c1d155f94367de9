"""pgkit's compile options: on a CPU no YNNPACK fusion for products (but for the bfloat16 critic's
training unit), and for the functions a run calls once XLA's elemental emitters, unless the
user asks otherwise."""
import jax
import jax.numpy as jnp
import numpy as np

from pgkit import networks
from pgkit.training import loop, make_trainer, xla_options
from tests.training.test_vmap import TINY

PRODUCTS_OFF = {"xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_REDUCE"}
# jax 0.10's XLA has the elemental emitters' option; 0.11's has not (its CPU backend always
# takes the fusion emitters), and there the functions run once compile with XLA's default.
EMITTERS_KNOWN = tuple(map(int, jax.__version__.split(".")[:2])) < (0, 11)
ELEMENTAL = {"xla_cpu_use_fusion_emitters": False} if EMITTERS_KNOWN else {}
ONCE = dict(PRODUCTS_OFF, **ELEMENTAL)


def assert_float64_numbers(**kind):
  """``xla_options.jit(f, **kind)`` computes a sum of transcendental terms as float64 NumPy does
  (the options change how XLA emits code, not the arithmetic)."""
  x = jax.random.normal(jax.random.PRNGKey(0), (256, 64))
  f = lambda x: jnp.sum(jnp.tanh(x) * jnp.exp(-x * x), axis=1)
  expected = np.sum(np.tanh(np.float64(x)) * np.exp(-np.float64(x) ** 2), axis=1)
  np.testing.assert_allclose(xla_options.jit(f, **kind)(x), expected, rtol=1e-5, atol=1e-6)


def test_products_leave_ynnpack_on_a_cpu_unless_the_environment_keeps_it():
  assert xla_options.compiler_options({}, backend="cpu") == PRODUCTS_OFF
  assert xla_options.compiler_options({"PGKIT_YNNPACK": "on"}, backend="cpu") is None
  assert xla_options.compiler_options({"PGKIT_YNNPACK": "off"}, backend="cpu") == PRODUCTS_OFF
  # The user's own XLA_FLAGS choice of the option rules, whatever its value.
  flags = {"XLA_FLAGS": "--xla_cpu_experimental_ynn_fusion_type=dot"}
  assert xla_options.compiler_options(flags, backend="cpu") is None
  assert xla_options.compiler_options({"XLA_FLAGS": "--xla_cpu_use_xnnpack=false"},
                                      backend="cpu") == PRODUCTS_OFF
  for backend in ("gpu", "cuda", "tpu"):
    assert xla_options.compiler_options({}, backend=backend) is None
    assert xla_options.compiler_options({}, backend=backend, once=True) is None


def test_functions_run_once_take_the_elemental_emitters_unless_xla_flags_name_them():
  assert xla_options.compiler_options({}, backend="cpu", once=True) == ONCE
  assert xla_options.compiler_options({"PGKIT_YNNPACK": "on"}, backend="cpu",
                                      once=True) == (ELEMENTAL or None)
  flags = {"XLA_FLAGS": "--xla_cpu_use_fusion_emitters=true"}
  assert xla_options.compiler_options(flags, backend="cpu", once=True) == PRODUCTS_OFF
  assert xla_options.compiler_options(dict(flags, PGKIT_YNNPACK="on"), backend="cpu",
                                      once=True) is None
  assert_float64_numbers(once=True)


def test_init_compiles_at_the_lowest_optimisation_level_unless_xla_flags_name_it():
  setup = dict(ONCE, xla_backend_optimization_level=0)
  assert xla_options.compiler_options({}, backend="cpu", setup=True) == setup
  flags = {"XLA_FLAGS": "--xla_backend_optimization_level=2"}
  assert xla_options.compiler_options(flags, backend="cpu", setup=True) == ONCE
  assert xla_options.compiler_options({}, backend="gpu", setup=True) is None
  # Level 0 is an option of this XLA (``accepted`` would drop it otherwise); it leaves out
  # LLVM's optimisations, not any of the program's arithmetic.
  assert xla_options.accepted("xla_backend_optimization_level", 0)
  assert_float64_numbers(setup=True)


def test_an_option_this_xla_does_not_know_is_dropped_not_an_error():
  assert xla_options.accepted("xla_cpu_experimental_ynn_fusion_type", "LIBRARY_FUSION_TYPE_REDUCE")
  assert not xla_options.accepted("xla_cpu_no_such_option", "1")
  assert not xla_options.accepted("xla_cpu_experimental_ynn_fusion_type", "not_a_fusion_type")
  assert xla_options.accepted("xla_cpu_use_fusion_emitters", False) == EMITTERS_KNOWN


def test_products_compile_without_ynnpack_and_give_the_same_numbers():
  x = jax.random.normal(jax.random.PRNGKey(0), (256, 64))
  w = jax.random.normal(jax.random.PRNGKey(1), (64, 64))
  f = lambda x, w: jnp.tanh(x @ w)
  ours = xla_options.jit(f).lower(x, w).compile()
  assert "ynn_fusion" not in ours.as_text()
  # XLA's default (jax 0.10/0.11) gives this product to YNNPACK: the option is what differs.
  assert "ynn_fusion" in jax.jit(f).lower(x, w).compile().as_text()
  np.testing.assert_allclose(ours(x, w), np.tanh(np.asarray(x, np.float64) @ np.asarray(w)),
                             rtol=1e-4, atol=1e-4)


def test_the_bfloat16_critic_keeps_ynnpacks_products_and_its_numbers():
  with_products = {"xla_cpu_experimental_ynn_fusion_type":
                   "LIBRARY_FUSION_TYPE_REDUCE,LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT"}
  assert xla_options.compiler_options({}, backend="cpu", bfloat16_dots=True) == with_products
  assert xla_options.compiler_options({"PGKIT_YNNPACK": "on"}, backend="cpu",
                                      bfloat16_dots=True) is None
  flags = {"XLA_FLAGS": "--xla_cpu_experimental_ynn_fusion_type="}
  assert xla_options.compiler_options(flags, backend="cpu", bfloat16_dots=True) is None
  assert xla_options.compiler_options({}, backend="gpu", bfloat16_dots=True) is None
  # The critic's forward product: YNNPACK takes it only with the flag, and both give the
  # float64 product of the bfloat16-rounded operands (bfloat16 products are exact in float32
  # accumulation up to the sum's rounding).
  x = jax.random.normal(jax.random.PRNGKey(0), (256, 64))
  w = jax.random.normal(jax.random.PRNGKey(1), (64, 64))
  f = networks.matmul.bfloat16_matmul
  assert "ynn_fusion" in xla_options.jit(f, bfloat16_dots=True).lower(x, w).compile().as_text()
  assert "ynn_fusion" not in xla_options.jit(f).lower(x, w).compile().as_text()
  rounded = lambda a: np.asarray(a.astype(jnp.bfloat16), np.float64)
  for kind in ({}, {"bfloat16_dots": True}):
    np.testing.assert_allclose(xla_options.jit(f, **kind)(x, w), rounded(x) @ rounded(w),
                               rtol=1e-5, atol=1e-5)


def test_the_loop_compiles_init_step_and_evaluate_with_the_options(monkeypatch):
  calls = []

  def spy(*args, once=False, setup=False, bfloat16_dots=False, **kwargs):
    calls.append((once, setup, bfloat16_dots))
    return PRODUCTS_OFF

  monkeypatch.setattr(xla_options, "compiler_options", spy)
  loop.compiled.__wrapped__(make_trainer(TINY), 1)  # not the cached one another test made
  # run_chunk; evaluate, run once or at reports; init, run exactly once
  assert sorted(calls) == [(False, False, False), (False, True, False), (True, False, False)]
  calls.clear()
  loop.compiled.__wrapped__(make_trainer(TINY.replace(critic_matmul="bfloat16")), 1)
  # only the training unit, where the critic learns, takes YNNPACK's products
  assert sorted(calls) == [(False, False, True), (False, True, False), (True, False, False)]
