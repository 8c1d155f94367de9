"""Learning tests for MPO (off-policy) and V-MPO (on-policy) on Brax's inverted_pendulum.

Backend: ``positional`` (the preset's), CPU. Each uses its preset from
``pgkit.training.presets``; returns are deterministic evaluations over 16 episodes of up to
1000 steps (1000 is the maximum).
"""
import time

import jax

from pgkit.training import make_trainer, preset


def test_mpo_reaches_900():
  config, hp = preset("mpo", "inverted_pendulum")
  assert config.backend == "positional"
  trainer = make_trainer(config)
  key, eval_key = jax.random.split(jax.random.PRNGKey(0))
  chunk = 25  # iterations between evaluations: 25 × 8 envs × 16 steps = 3200 env steps
  run_chunk = jax.jit(lambda s: jax.lax.scan(lambda s, _: trainer.step(s, hp), s, None,
                                             length=chunk)[0])
  evaluate = jax.jit(trainer.evaluate)
  state = jax.jit(trainer.init)(key, hp)
  returns = [float(evaluate(state, eval_key))]
  start = time.time()
  for c in range(config.num_iterations // chunk):
    state = run_chunk(state)
    returns.append(float(evaluate(state, eval_key)))
    if returns[-1] >= 900:
      break
  steps = (len(returns) - 1) * chunk * config.steps_per_iteration
  print(f"mpo: eval returns {returns}; reached {returns[-1]:.1f} after {steps} env steps "
        f"({time.time() - start:.1f} s after the first compile)")
  assert returns[-1] >= 900, (returns, steps)


def test_vmpo_improves_five_fold():
  config, hp = preset("vmpo", "inverted_pendulum")
  assert config.backend == "positional"
  trainer = make_trainer(config)
  key, eval_key = jax.random.split(jax.random.PRNGKey(0))
  evaluate = jax.jit(trainer.evaluate)
  initial = float(evaluate(jax.jit(trainer.init)(key, hp), eval_key))
  state, _ = jax.jit(trainer.train)(key, hp)
  final = float(evaluate(state, eval_key))
  print(f"vmpo: initial {initial:.1f} final {final:.1f} after "
        f"{config.num_iterations * config.steps_per_iteration} env steps")
  assert final >= 5 * initial, (initial, final)
