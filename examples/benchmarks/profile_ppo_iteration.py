"""Where does one ppo_clip iteration spend its time? Times each phase, compiled separately.

Run: python examples/benchmarks/profile_ppo_iteration.py [env] [backend] [NAME=VALUE,...]
Uses Brax's published PPO settings for the env (pgkit.bench.settings), so the figures line up
with ``pgkit bench ppo-vs-brax``; the third argument changes settings as ``pgkit bench
ablation --change`` does (``critic_matmul=bfloat16``). Every phase is compiled with the options
pgkit's training loop gives its training unit (``training.xla_options``, with the bfloat16
critic its ``bfloat16_dots``), and the last line puts the rollout
beside the raw env's ceiling (random actions, no policy: ``bench.timing``).
"""
import functools
import sys
import time

import jax
import jax.numpy as jnp
import optax

from pgkit import envs, networks
from pgkit.bench import settings, timing
from pgkit.bench.ablation import parse_change
from pgkit.cli import _owners
from pgkit.training import make_trainer, xla_options
from pgkit.training.on_policy import (Batch, estimate, update_critic, update_policy,
                                      values_and_bootstraps)

env_name = sys.argv[1] if len(sys.argv) > 1 else "inverted_pendulum"
backend = sys.argv[2] if len(sys.argv) > 2 else "positional"
pgkit_s = settings.pgkit_equivalent(env_name, backend, settings.brax_settings(env_name),
                                    1_000_000, 128)
if len(sys.argv) > 3:
  pgkit_s = pgkit_s.replace(**parse_change(pgkit_s, sys.argv[3], _owners))
run, options, hp = pgkit_s.run, pgkit_s.options, pgkit_s.hparams
jit = functools.partial(xla_options.jit, bfloat16_dots=run.critic_matmul == "bfloat16")
trainer = make_trainer(pgkit_s)
env, policy = trainer.env, trainer.policy
critic = networks.value_critic(env.observation_size, run.critic_hidden, run.activation,
                                run.critic_matmul)
algo = pgkit_s.algo(run, options, hp)
# The trainer passes the loss and KL closures to the policy optimizer as extra arguments.
algo = algo._replace(policy_optimizer=optax.with_extra_args_support(algo.policy_optimizer))
state = jit(trainer.init)(jax.random.PRNGKey(0), hp)
state, _ = jit(trainer.step)(state, hp)  # warm statistics


def timed(name, fn, *args, repeats=3):
  out = jax.block_until_ready(fn(*args))  # compile
  start = time.perf_counter()
  for _ in range(repeats):
    out = jax.block_until_ready(fn(*args))
  dt = (time.perf_counter() - start) / repeats
  print(f"{name:28s} {1000 * dt:9.1f} ms")
  return out, dt


@jit
def collect(state, key):
  k_reset, k_unroll = jax.random.split(key)
  return envs.collect(env, policy, state.policy_params, state.obs_stats, state.env_state,
                      k_reset, k_unroll, run.unrolls, run.unroll_length, run.episode_length)[1]


@jit
def advantages(state, traj):
  value, next_value = values_and_bootstraps(
      lambda o: critic.apply(state.critic_params, envs.normalize(state.obs_stats, o)), traj,
      run.episode_length)
  # the trainer's own estimate: GAE's targets A + V, or the λ-return pair's own
  adv, target = estimate(algo, traj.reward * hp.reward_scaling, value, next_value,
                         traj.termination, traj.truncation)
  done = jnp.maximum(traj.termination, traj.truncation)
  obs = envs.normalize(state.obs_stats, traj.observation)
  batch = Batch(obs, traj.action, traj.behaviour_log_prob, adv, done, value, target)
  return jax.tree.map(lambda x: envs.split_sequences(x, run.unrolls), batch)


@jit
def policy_phase(state, batch):
  return update_policy(policy, algo, state.policy_params, state.policy_opt_state, {},
                       jax.random.PRNGKey(1), batch, state.reweighter_state)[0]


@jit
def critic_phase(state, batch):
  return update_critic(critic, algo, state.critic_params, state.critic_opt_state,
                       jax.random.PRNGKey(2), batch)[0]


print(f"{env_name} ({backend}): {run.num_envs} envs × {run.unroll_length} steps × "
      f"{run.unrolls} unrolls = {run.steps_per_iteration} env steps per iteration; "
      f"{options.epochs} epochs × {options.minibatches} minibatches; jax {jax.__version__}")
if options.critic_schedule != "separate":
  print(f"critic_updates={options.critic_schedule}: the phases below are the separate "
        f"schedule's; the whole step is the {options.critic_schedule} one")
traj, t_collect = timed("rollout (policy + physics)", collect, state, jax.random.PRNGKey(3))
batch, t_adv = timed("values + GAE", advantages, state, traj)
_, t_pol = timed("policy updates", policy_phase, state, batch)
_, t_cri = timed("critic updates", critic_phase, state, batch)
_, t_step = timed("whole step (one jit)", jit(trainer.step), state, hp)
total = t_collect + t_adv + t_pol + t_cri
print(f"sum of phases {1000 * total:.1f} ms; whole step {1000 * t_step:.1f} ms "
      f"= {run.steps_per_iteration / t_step:.0f} env steps/s")
raw = timing.raw_env_steps_per_s(env, run.num_envs)  # as ppo-vs-brax measures it
steps = run.steps_per_iteration
print(f"raw env {raw:.0f} steps/s: the rollout runs at {steps / t_collect / raw:.0%} of it, "
      f"the whole step at {steps / t_step / raw:.0%}")
