"""The hybrid example (PPO-clip loss + natural-gradient preconditioner) trains through the
unchanged trainer, and its optimizer really is the damped natural gradient on the trust region."""
import importlib.util
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from pgkit.settings import preset
from pgkit.training import make_trainer

_PATH = pathlib.Path(__file__).resolve().parents[1] / "examples" / "hybrid_ppo_natural_gradient.py"


def _example():
  spec = importlib.util.spec_from_file_location("hybrid_ppo_natural_gradient", _PATH)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)   # declares "ppo_natural"; the __main__ block does not run
  return module


def test_hybrid_optimizer_is_trust_region_scaled_natural_gradient():
  example = _example()
  s = preset(example.ppo_natural, "inverted_pendulum", max_grad_norm=1e6)  # clipping inactive
  hp = s.hparams
  algo = example.ppo_natural(s.run, s.options, hp)
  w = jnp.array([[0.5, -1.0], [2.0, 0.3]])
  params = {"w": jnp.zeros((2, 2))}
  fisher_diag = jnp.array([[1.0, 2.0], [3.0, 4.0]])
  kl_fn = lambda p: 0.5 * jnp.sum(fisher_diag * p["w"] ** 2)
  opt = algo.policy_optimizer
  step, _ = opt.update({"w": w}, opt.init(params), params, kl_fn=kl_fn, loss_fn=None)
  x = w / (fisher_diag + hp.damping)
  expected = -jnp.sqrt(2 * hp.max_kl / jnp.sum(fisher_diag * x * x)) * x
  np.testing.assert_allclose(step["w"], expected, rtol=1e-4)


def test_hybrid_trains_through_the_trainer():
  example = _example()
  # gymnax's CartPole: the cheapest env to compile (the optimizer does not depend on the env).
  s = preset(example.ppo_natural, "gymnax/CartPole-v1", num_envs=16, unroll_length=32,
             num_timesteps=3 * 512, minibatches=2, critic_minibatches=2, policy_hidden=(16,),
             critic_hidden=(16,))
  trainer = make_trainer(s)
  state, metrics = jax.jit(trainer.train)(jax.random.PRNGKey(0), s.hparams)
  assert all(np.all(np.isfinite(np.asarray(v))) for v in metrics.values())
  assert np.all(np.asarray(metrics["cg_iterations"]) >= 1)
  assert np.all(np.asarray(metrics["trust_region_step_size"]) > 0)
  assert np.all(np.asarray(metrics["kl"]) > 0)   # the policy moved every iteration
  flat, _ = ravel_pytree(state.policy_params)
  assert np.all(np.isfinite(np.asarray(flat)))
