"""Settings every algorithm shares on an environment (its own presets are declared beside it).

A value here applies to whichever part of an algorithm's settings declares that field (run
settings, options or hyperparameters) and is skipped for algorithms that have no such field.
"""

from pgkit.settings.envs import GYMNAX_ENVS

_SMALL = dict(backend="positional", unroll_length=32, epochs=8, minibatches=16, critic_epochs=8,
              critic_minibatches=16, gae_lambda=0.95, learning_rate=1e-3)

# Brax's locomotion tasks (the presets of ppo_clip, ppo_kl and trpo, declared beside them; an
# algorithm without one runs there on its defaults), from Brax's published PPO settings (its
# training colab): Brax's PPO networks (policy 4×32, value 5×256, swish), clip 0.3, no gradient
# clipping, the critic fitted on the same epochs × minibatches with the policy's step size.
# ``unrolls`` is Brax's batch_size · num_minibatches / num_envs. Brax publishes PPO settings for
# ant, halfcheetah and humanoid; for hopper and walker2d (Brax trains them with SAC) the humanoid
# recipe with unscaled rewards (about 1 per step, like halfcheetah's) and 20 M steps. The
# observation statistics absorb each batch before the updates, as Brax's PPO does: with pgkit's
# default (after) ppo_clip at Brax's settings trailed Brax PPO per env step, with this it matched
# it (examples/benchmarks/RESULTS.md, ablations: hopper 1080 against 356 at 983,040 steps).
# The critic fits each batch after the policy (``critic_updates`` separate), except on ant and
# halfcheetah, where it takes Brax's joint schedule (one critic update on each policy minibatch,
# from refreshed advantages). At Brax's settings on a 2-core CPU the joint schedule started the
# gait of every seed sooner: ppo_clip on halfcheetah 5 of 5 at 1.3 M steps and on Ant 3 of 3 at
# 3.3 M, its Ant mean over 3 seeds ahead from 4.6 M to 13.8 M; ppo_kl each of 3 seeds ahead at
# every evaluation to 2.3 M on halfcheetah and at 3.3-3.9 M on Ant (RESULTS.md, "Ant to 13.8 M
# steps on the CPU", "ppo_kl with Brax's joint schedule"). Hopper keeps the separate fit here: to
# 5.2 M steps (3 seeds) the joint schedule alone led at 4 of the 9 evaluations from halfway, two
# of its seeds fell from standing between 2.0 and 2.6 M, and it ended at 1,315 ± 26 against
# 1,352 ± 132 ("Hopper to 5.2 M steps"); ppo_clip's hopper preset adds it with the rest of
# Brax's computations, which together did better there (``ppo_clip.BRAX_COMPUTATIONS``), and
# its Ant preset all of them but Brax's last-layer scale (``ppo_clip.ANT_COMPUTATIONS``).
# Walker2d and humanoid, whose CPU proxies learn no gait (walker2d none by 5.2 M steps), keep it
# too: with all six of hopper's computations walker2d's mean was below this preset's at 6 of the
# 9 evaluations from halfway to 5.2 M steps and at the end (2 seeds, "Walker2d with all of
# Brax's computations").
_LOCOMOTION = dict(backend="positional", episode_length=1000, normalize_observations=True,
                   stats_update="before", critic_updates="separate",
                   policy_hidden=(32,) * 4, critic_hidden=(256,) * 5, activation="swish",
                   gae_lambda=0.95, learning_rate=3e-4, critic_learning_rate=3e-4,
                   clip_epsilon=0.3, max_grad_norm=float("inf"), unroll_length=5, unrolls=16,
                   epochs=4, minibatches=32, critic_epochs=4, critic_minibatches=32,
                   discount=0.97, entropy_coef=1e-2, num_timesteps=50_000_000)
_HUMANOID = dict(_LOCOMOTION, num_envs=2048, unroll_length=10, epochs=8, critic_epochs=8,
                 entropy_coef=1e-3, reward_scaling=0.1)
LOCOMOTION = {
    "ant": dict(_LOCOMOTION, num_envs=4096, reward_scaling=10.0, critic_updates="joint"),
    "halfcheetah": dict(_LOCOMOTION, num_envs=2048, unroll_length=20, unrolls=8, epochs=8,
                        critic_epochs=8, discount=0.95, entropy_coef=1e-3, reward_scaling=1.0,
                        critic_updates="joint"),
    "humanoid": _HUMANOID,
    "hopper": dict(_HUMANOID, reward_scaling=1.0, num_timesteps=20_000_000),
    "walker2d": dict(_HUMANOID, reward_scaling=1.0, num_timesteps=20_000_000),
}


def locomotion(env: str, *leave_out: str, **changes) -> dict:
  """``LOCOMOTION[env]`` without the fields ``leave_out`` (those an algorithm does not declare),
  then ``changes``: the locomotion presets of ppo_clip, ppo_kl and trpo."""
  return {**{k: v for k, v in LOCOMOTION[env].items() if k not in leave_out}, **changes}


ENV_PRESETS = {
    # Positional is the backend Brax's published PPO settings solve; with those settings the
    # spring backend reached only 731 by 3.1 M steps, and ours plateaued near 550 there too.
    # γ = 0.99: a policy that balances the pole can still drift the cart into the rail, where
    # the pole falls some 200 steps later; with γ = 0.97 (a horizon of ~33 steps) the critic
    # barely sees that, and once every episode lasts 1000 steps the updates random-walk the
    # policy into such a drift (ppo_clip: seed 8 of 10 ended at 238, its cart pinned at −1.0).
    # With 0.99 ppo_clip solved 30 of 30 seeds (examples/benchmarks/RESULTS.md, robustness).
    "inverted_pendulum": dict(_SMALL, num_envs=64, num_timesteps=150_000, discount=0.99),
    "inverted_double_pendulum": dict(_SMALL, num_envs=128, num_timesteps=1_000_000,
                                     discount=0.97, reward_scaling=0.1),
    "reacher": dict(_SMALL, num_envs=128, num_timesteps=1_000_000, discount=0.95),
    # CartPole-v1 (categorical policy): 16 envs × 128 steps a batch (an episode lasts up to 500
    # steps, gymnax's limit, which pgkit applies as a truncation). With these and their declared
    # defaults ppo_clip, a2c, reinforce, is_pg, ppo_kl, npg and vmpo reach 475-500 on most seeds
    # (examples/benchmarks/RESULTS.md); mpo and trpo add their own CartPole presets.
    "gymnax/CartPole-v1": dict(num_envs=16, unroll_length=128, num_timesteps=300_000,
                               learning_rate=1e-3, entropy_coef=0.01, discount=0.99),
    # Sized for a CPU: 64 envs × 32 steps a batch, 1000-step episodes (Playground's own length);
    # γ 0.995, rewards × 10 and entropy 0.01 as Playground's own PPO settings for its DM Control
    # Suite tasks. With γ 0.99, unscaled rewards and 200k steps ppo_clip ended at 364, below a
    # uniformly random policy's 379; with these and 400k steps at 700 (RESULTS.md).
    "playground/CartpoleBalance": dict(_SMALL, num_envs=64, num_timesteps=400_000,
                                       episode_length=1000, discount=0.995, reward_scaling=10.0,
                                       entropy_coef=0.01),
}
# Each gymnax env's own time limit becomes pgkit's episode_length (a truncation, bootstrapped).
for _task, _spec in GYMNAX_ENVS.items():
  ENV_PRESETS.setdefault(f"gymnax/{_task}", {})["episode_length"] = _spec.episode_length
