"""Where does one MPO iteration spend its time? Acting against the learner, and the learner's
sampled-action critic evaluations against the rest.

Run: python examples/benchmarks/profile_mpo_iteration.py [env] [N,N,...]
With the env's mpo preset (``ant`` by default) the replay is filled past ``warmup_steps``, then
whole iterations (acting, replay insert, ``updates_per_iteration`` learner updates) are timed
with each number of action samples N (the preset's first): the target critic scores N actions
per replayed successor state, for the E-step and Retrace's ``E_π Q(s', ·)`` alike (one set
since 2026-12-06; two before), so the difference between two N's is what those evaluations
cost. Acting alone (``envs.collect``) is timed beside it. Every function is compiled with the
training loop's options (``training.xla_options``).
"""
import sys
import time

import jax

from pgkit import envs
from pgkit.settings import preset
from pgkit.training import make_trainer, xla_options

env_name = sys.argv[1] if len(sys.argv) > 1 else "ant"
base = preset("mpo", env_name)
samples = ([int(n) for n in sys.argv[2].split(",")] if len(sys.argv) > 2
           else [base.options.num_action_samples, 1])
run, options = base.run, base.options
steps_per_iteration = run.num_envs * run.unroll_length * run.unrolls


def timed(fn, *args, repeats=5):
  out = jax.block_until_ready(fn(*args))  # compiles
  start = time.perf_counter()
  for _ in range(repeats):
    out = jax.block_until_ready(fn(*args))
  return out, (time.perf_counter() - start) / repeats


def profile_step(n: int):
  settings = base.replace(num_action_samples=n)
  trainer, hp = make_trainer(settings), settings.hparams
  state = xla_options.jit(trainer.init)(jax.random.PRNGKey(0), hp)
  step = xla_options.jit(trainer.step)
  for _ in range(-(-options.warmup_steps // steps_per_iteration)):  # fill to the warm-up
    state, _ = step(state, hp)
  (state, metrics), dt = timed(step, state, hp)
  assert int(metrics["learner_updates"]) == options.updates_per_iteration
  print(f"iteration, N = {n:3d} action samples  {1000 * dt:8.1f} ms  "
        f"{steps_per_iteration / dt:7.0f} env steps/s")
  return state, trainer, dt


state, trainer, t_first = profile_step(samples[0])


@xla_options.jit
def collect(state, key):
  k_reset, k_unroll = jax.random.split(key)
  return envs.collect(trainer.env, trainer.policy, state.policy_params, state.obs_stats,
                      state.env_state, k_reset, k_unroll, run.unrolls, run.unroll_length,
                      run.episode_length)[1]


_, t_collect = timed(collect, state, jax.random.PRNGKey(1))
print(f"acting alone ({run.num_envs} envs x {run.unroll_length * run.unrolls} steps)  "
      f"{1000 * t_collect:8.1f} ms  {100 * t_collect / t_first:.0f} % of the iteration")
for n in samples[1:]:
  _, _, t = profile_step(n)
  share = (t_first - t) / t_first * samples[0] / (samples[0] - n)
  print(f"  N = {samples[0]} against {n}: the sampled-action evaluations are about "
        f"{100 * share:.0f} % of the iteration (linear in N)")
