"""Learning tests for npg, trpo and trpo_vine on Brax's inverted_pendulum, positional backend.

Each run uses the algorithm's preset (pgkit.training.presets) and asserts the deterministic
evaluation return over 16 episodes of up to 1000 steps (1000 is the maximum).
"""
import jax
import pytest

from pgkit.training import make_trainer, preset


def learn(algo, seed=0):
  config, hp = preset(algo, "inverted_pendulum")
  assert config.backend == "positional"
  trainer = make_trainer(config)
  key, eval_key = jax.random.split(jax.random.PRNGKey(seed))
  evaluate = jax.jit(trainer.evaluate)
  initial = float(evaluate(trainer.init(key, hp), eval_key))
  state, _ = jax.jit(trainer.train)(key, hp)
  final = float(evaluate(state, eval_key))
  print(f"{algo}: initial eval return {initial:.1f}, final {final:.1f}")  # shown with -s / -rP
  return initial, final


@pytest.mark.parametrize("algo", ["npg", "trpo"])
def test_natural_gradient_solves_inverted_pendulum_positional(algo):
  initial, final = learn(algo)
  assert final >= 900, (initial, final)


def test_trpo_vine_improves_five_fold_on_inverted_pendulum_positional():
  initial, final = learn("trpo_vine")
  assert final >= 5 * initial, (initial, final)
