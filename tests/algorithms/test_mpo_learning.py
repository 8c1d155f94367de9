"""Learning tests for MPO (off-policy) and V-MPO (on-policy) on Brax's inverted_pendulum.

Backend: ``positional`` (the preset's), CPU. Each uses its preset (declared beside the
algorithm); returns are deterministic evaluations over 16 episodes of up to
1000 steps (1000 is the maximum).
"""
import time

import jax

from pgkit.settings import preset
from pgkit.training import compiled, make_trainer


def test_mpo_reaches_900():
  settings = preset("mpo", "inverted_pendulum")
  assert settings.run.backend == "positional"
  trainer = make_trainer(settings)
  hp = settings.hparams
  key, eval_key = jax.random.split(jax.random.PRNGKey(0))
  chunk = 25  # iterations between evaluations: 25 × 8 envs × 16 steps = 3200 env steps
  loop = compiled(trainer, chunk)
  state = loop.init(key, hp)
  evaluate = loop.evaluate
  returns = [float(evaluate(state, eval_key))]
  start = time.time()
  for _ in range(settings.run.num_iterations // chunk):
    state, _ = loop.run_chunk(state, hp)
    returns.append(float(evaluate(state, eval_key)))
    if returns[-1] >= 900:
      break
  steps = (len(returns) - 1) * chunk * trainer.steps_per_iteration
  print(f"mpo: eval returns {returns}; reached {returns[-1]:.1f} after {steps} env steps "
        f"({time.time() - start:.1f} s after the first compile)")
  assert returns[-1] >= 900, (returns, steps)


def test_vmpo_improves_five_fold():
  settings = preset("vmpo", "inverted_pendulum")
  assert settings.run.backend == "positional"
  trainer = make_trainer(settings)
  hp = settings.hparams
  key, eval_key = jax.random.split(jax.random.PRNGKey(0))
  evaluate = jax.jit(trainer.evaluate)
  initial = float(evaluate(jax.jit(trainer.init)(key, hp), eval_key))
  state, _ = jax.jit(trainer.train)(key, hp)
  final = float(evaluate(state, eval_key))
  print(f"vmpo: initial {initial:.1f} final {final:.1f} after "
        f"{settings.run.num_iterations * trainer.steps_per_iteration} env steps")
  assert final >= 5 * initial, (initial, final)
