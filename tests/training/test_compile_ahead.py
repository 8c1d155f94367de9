"""The final evaluation compiled ahead, in a background thread, while a run trains."""
import jax
import jax.numpy as jnp
import numpy as np

from pgkit.training import loop, make_trainer
from tests.training.test_vmap import TINY


class Spy:
  """A jitted function that records whether it was lowered (ahead) or called (as usual)."""

  def __init__(self, fn):
    self.fn, self.calls = jax.jit(fn), []

  def lower(self, *args):
    self.calls.append("lower")
    return self.fn.lower(*args)

  def __call__(self, *args):
    self.calls.append("call")
    return self.fn(*args)


def test_the_executable_compiled_ahead_runs_and_other_shapes_fall_back_to_jit():
  spy = Spy(lambda state, key: jnp.sum(state["x"] * 2.0) + key)
  state = {"x": jnp.arange(6.0)}
  run = loop._compile_ahead(spy, lambda k: k, state, jnp.float32(1.0))
  state = {"x": jnp.arange(6.0) + 1.0}  # other values, same shapes: the executable runs
  assert float(run(state, jnp.float32(1.0))) == 2 * 21.0 + 1.0  # 2·(1+…+6) + 1
  assert spy.calls == ["lower"]
  # Another shape than the one compiled ahead: jit compiles it as usual, same answer.
  assert float(run({"x": jnp.ones(3)}, jnp.float32(0.0))) == 6.0
  assert spy.calls == ["lower", "call"]


def test_a_failed_compile_ahead_falls_back_to_jit():
  spy = Spy(lambda state, key: state + key)
  spy.lower = lambda *args: (_ for _ in ()).throw(RuntimeError("no compile ahead"))
  run = loop._compile_ahead(spy, lambda k: k, jnp.zeros(2), jnp.float32(1.0))
  np.testing.assert_array_equal(run(jnp.zeros(2), jnp.float32(1.0)), [1.0, 1.0])
  assert spy.calls == ["call"]


def test_evaluate_ahead_returns_what_evaluate_returns_after_training():
  c = loop.compiled(make_trainer(TINY), 1)
  hp = jax.tree.map(jnp.asarray, TINY.hparams)
  key, eval_key = loop.seed_keys(0)
  state = c.init(key, hp)
  evaluate = c.evaluate_ahead(state, eval_key)
  state, _ = c.run_chunk(state, hp)  # donates the state it was compiled for
  assert float(evaluate(state, eval_key)) == float(c.evaluate(state, eval_key))
