"""Where one TRPO iteration spends its time: rollout, GAE, policy gradient, CG, line search,
critic fit, and the whole fused ``trainer.step`` for comparison.

Each phase is jitted on its own, compiled once (not timed), then run ``--repeats`` times; the
median wall time is printed. Separately jitted phases lose the fusion of the full step, so their
sum is only roughly the step time.

Run: python examples/benchmarks/trpo_breakdown.py [--repeats 10] [--algo trpo|trpo_vine]
"""
import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import optax

from pgkit import envs, networks, precondition
from pgkit.settings import preset
from pgkit.training import make_trainer
from pgkit.training.on_policy import Batch, update_critic


def _timed(fn, *args, repeats):
  jax.block_until_ready(fn(*args))   # compile + warm up
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    times.append(time.perf_counter() - start)
  return statistics.median(times)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--algo", default="trpo", choices=("trpo", "trpo_vine"))
  parser.add_argument("--env", default="inverted_pendulum")
  parser.add_argument("--repeats", type=int, default=10)
  args = parser.parse_args()

  settings = preset(args.algo, args.env)
  run, options, hp = settings.run, settings.options, settings.hparams
  trainer = make_trainer(settings)
  env, policy = trainer.env, trainer.policy
  critic = networks.value_critic(env.observation_size, run.critic_hidden, run.activation,
                                 run.critic_matmul)
  algo = settings.algo(run, options, hp)
  state = jax.jit(trainer.init)(jax.random.PRNGKey(0), hp)
  key = jax.random.PRNGKey(1)

  @jax.jit
  def rollout(s, k):
    k_reset, k_unroll = jax.random.split(k)
    return envs.collect(env, policy, s.policy_params, s.obs_stats, s.env_state, k_reset,
                        k_unroll, run.unrolls, run.unroll_length, run.episode_length)[1]

  @jax.jit
  def gae(s, traj):
    obs = envs.normalize(s.obs_stats, traj.observation)
    value = critic.apply(s.critic_params, obs)
    next_value = critic.apply(s.critic_params, envs.normalize(s.obs_stats,
                                                              traj.next_observation))
    adv = jax.vmap(algo.advantages, in_axes=1, out_axes=1)(
        traj.reward * hp.reward_scaling, value, next_value, traj.termination, traj.truncation)
    done = jnp.maximum(traj.termination, traj.truncation)
    batch = Batch(obs, traj.action, traj.behaviour_log_prob, adv, done, value, adv + value)
    return jax.tree.map(lambda x: envs.split_sequences(x, run.unrolls), batch)

  def closures(params, batch):
    old = policy.apply(params, batch.observation)
    advantage = algo.minibatch_advantages(batch.advantage.reshape(-1))
    loss_fn = lambda p: algo.policy_loss.apply(
        algo.terms(policy.apply(p, batch.observation), old, batch, advantage), {})[0]
    kl_fn = lambda p: jnp.mean(old.kl_divergence(policy.apply(p, batch.observation)))
    return loss_fn, kl_fn

  @jax.jit
  def gradient(params, batch):
    return jax.grad(closures(params, batch)[0])(params)

  natural = precondition.natural_gradient(options.cg_iters, hp.damping)

  @jax.jit
  def cg(params, batch, grads):
    _, kl_fn = closures(params, batch)
    return natural.update(grads, natural.init(params), params, kl_fn=kl_fn)[0]

  search = optax.chain(precondition.scale_to_trust_region(hp.max_kl),
                       precondition.kl_linesearch(hp.max_kl, hp.backtrack_ratio,
                                                  options.linesearch_steps))

  @jax.jit
  def linesearch(params, batch, direction):
    loss_fn, kl_fn = closures(params, batch)
    return search.update(direction, search.init(params), params, loss_fn=loss_fn, kl_fn=kl_fn)

  @jax.jit
  def critic_fit(s, batch, k):
    return update_critic(critic, algo, s.critic_params, s.critic_opt_state, k, batch)[0]

  step = jax.jit(trainer.step)

  traj = rollout(state, key)
  batch = gae(state, traj)
  grads = gradient(state.policy_params, batch)
  direction = cg(state.policy_params, batch, grads)
  phases = [
      ("rollout (unroll)", _timed(rollout, state, key, repeats=args.repeats)),
      ("GAE (+critic values)", _timed(gae, state, traj, repeats=args.repeats)),
      ("policy gradient", _timed(gradient, state.policy_params, batch, repeats=args.repeats)),
      (f"CG ({options.cg_iters} iters)", _timed(cg, state.policy_params, batch, grads,
                                                repeats=args.repeats)),
      ("trust region + line search", _timed(linesearch, state.policy_params, batch, direction,
                                            repeats=args.repeats)),
      (f"critic fit ({options.critic_epochs}x{options.critic_minibatches})",
       _timed(critic_fit, state, batch, key, repeats=args.repeats)),
  ]
  total = _timed(lambda s: step(s, hp)[0], state, repeats=args.repeats)
  print(f"{args.algo} on {args.env} ({run.backend}), {run.num_envs} envs x "
        f"{run.unroll_length} steps, {jax.devices()[0].platform}, median of {args.repeats}:")
  for name, seconds in phases:
    print(f"  {name:<28s} {1e3 * seconds:8.2f} ms")
  print(f"  {'sum of phases':<28s} {1e3 * sum(s for _, s in phases):8.2f} ms")
  print(f"  {'full trainer.step (fused)':<28s} {1e3 * total:8.2f} ms")


if __name__ == "__main__":
  main()
