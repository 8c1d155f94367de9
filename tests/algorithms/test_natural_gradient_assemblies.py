"""npg / trpo / trpo_vine through the trainer: hooks, diagnostics, traced δ, validation."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pgkit.algorithms import ALGORITHMS
from pgkit.training import make_trainer, preset
from pgkit.training.config import validate_config, validate_hparams


@pytest.mark.parametrize("algo", ["npg", "trpo", "trpo_vine"])
def test_assemblies_are_registered_and_use_extra_args_optimizers(algo):
  config, hp = preset(algo, "inverted_pendulum")
  bundle = ALGORITHMS[algo](config, hp)
  assert isinstance(bundle.policy_optimizer, optax.GradientTransformationExtraArgs)
  assert (bundle.epochs, bundle.minibatches) == (1, 1)
  assert (bundle.policy_batch is not None) == (algo == "trpo_vine")
  assert ALGORITHMS["trpo"](dataclasses.replace(config, sampling="vine"), hp).policy_batch


def test_vine_step_vmapped_over_max_kl_respects_each_radius():
  config, hp = preset("trpo_vine", "inverted_pendulum")
  config = dataclasses.replace(config, backend="spring", num_envs=8, unroll_length=16,
                               vine_states=16, vine_actions=3, vine_horizon=4,
                               policy_hidden=(16,), critic_hidden=(16,), critic_minibatches=2)
  trainer = make_trainer(config)
  radii = jnp.array([1e-3, 1e-2, 5e-2])
  hps = jax.tree.map(lambda x: jnp.full((3,), x, jnp.float32), hp)._replace(max_kl=radii)

  def one_step(h):
    state = trainer.init(jax.random.PRNGKey(0), h)
    return trainer.step(state, h)[1]

  metrics = jax.jit(jax.vmap(one_step))(hps)
  accepted = np.asarray(metrics["linesearch_accepted_index"])
  kl = np.asarray(metrics["linesearch_kl"])
  assert np.all(np.isfinite(np.asarray(metrics["vine_surrogate_loss"])))
  assert np.all(kl <= np.asarray(radii)), kl
  assert np.all(kl[accepted >= 0] > 0)                       # an accepted step moves the policy
  assert np.all(np.asarray(metrics["cg_nonpositive_curvature"]) == 0)
  assert np.all(np.asarray(metrics["linesearch_actual_improvement"])[accepted >= 0] > 0)


def test_config_and_hparams_validation():
  config, hp = preset("trpo", "inverted_pendulum")
  with pytest.raises(ValueError, match="sampling"):
    validate_config(dataclasses.replace(config, sampling="tree"))
  with pytest.raises(ValueError, match="cg_iters"):
    validate_config(dataclasses.replace(config, cg_iters=0))
  with pytest.raises(ValueError, match="vine_states"):
    validate_config(dataclasses.replace(config, algo="trpo_vine", vine_states=10_000))
  for name, value in [("max_kl", 0.0), ("damping", -0.1), ("backtrack_ratio", 1.0)]:
    with pytest.raises(ValueError, match=name):
      validate_hparams(hp._replace(**{name: value}))
