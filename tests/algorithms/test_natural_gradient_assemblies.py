"""npg / trpo / trpo_vine through the trainer: pieces, diagnostics, traced δ, validation."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pgkit.settings import preset
from pgkit.training import make_trainer


@pytest.mark.parametrize("algo", ["npg", "trpo", "trpo_vine"])
def test_assemblies_describe_one_step_per_batch(algo):
  s = preset(algo, "inverted_pendulum")
  bundle = s.algo(s.run, s.options, s.hparams)
  assert isinstance(bundle.policy_optimizer, optax.GradientTransformationExtraArgs)
  assert tuple(bundle.policy_minibatches) == (1, 1)
  assert bundle.policy_batch.needs_env_states == (algo == "trpo_vine")


def test_vine_step_vmapped_over_max_kl_respects_each_radius():
  # gymnax's CartPole: the cheapest env to compile whose states can be restored.
  s = preset("trpo_vine", "gymnax/CartPole-v1", num_envs=8, unroll_length=16,
             vine_states=16, vine_actions=3, vine_horizon=4, policy_hidden=(16,),
             critic_hidden=(16,), critic_minibatches=2)
  trainer = make_trainer(s)
  radii = jnp.array([1e-3, 1e-2, 5e-2])
  hps = jax.tree.map(lambda x: jnp.full((3,), x, jnp.float32), s.hparams).replace(max_kl=radii)

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


@pytest.mark.parametrize("algo, changes, field", [
    ("trpo", dict(cg_iters=0), "cg_iters"),
    ("trpo", dict(linesearch_steps=0), "linesearch_steps"),
    ("trpo_vine", dict(vine_states=10_000), "vine_states"),
    ("trpo", dict(max_kl=0.0), "max_kl"),
    ("trpo", dict(damping=-0.1), "damping"),
    ("trpo", dict(backtrack_ratio=1.0), "backtrack_ratio"),
])
def test_validation_names_the_field(algo, changes, field):
  with pytest.raises(ValueError, match=f"{algo}: {field}"):
    preset(algo, "inverted_pendulum", **changes).validate()
