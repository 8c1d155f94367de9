"""MPO (Abdolmaleki et al. 2018, "Maximum a Posteriori Policy Optimisation", arXiv:1806.06920):
E-step ``softmax(Q/η)`` over N actions from the target policy with η from its convex dual;
M-step weighted maximum likelihood under decoupled mean/covariance KL constraints
(arXiv:1812.02256) with multipliers α_μ, α_Σ by projected dual ascent; Q critic on Retrace
targets (the trainer). For a categorical policy the E-step weighs every action exactly,
``q ∝ π_old exp(Q/η)``, and the M-step bounds the one categorical KL."""
from pgkit import estep, losses
from pgkit.algorithms.base import adam
from pgkit.algorithms import mpo_actions
from pgkit.algorithms.m_step import MStepHParams, m_step
from pgkit.algorithms.off_policy import OffPolicy, OffPolicyHParams, OffPolicyOptions
from pgkit.settings import algorithm


class MPOOptions(OffPolicyOptions):
  pass


class MPOHParams(OffPolicyHParams, MStepHParams):
  pass


# Brax's halfcheetah and ant: 64 envs × 16-step sequences per iteration, 32 updates of 64
# sequences (1024 transitions each; one update per 32 env steps), a replay of 1 M steps, Polyak
# targets, and networks of 3 × 256 ELU units (the size of Acme's MPO policy network); 5 M steps, a
# tenth of PPO's budget. Not yet trained to that budget (no GPU so far). On a CPU, 2-4 seeds each
# (examples/benchmarks/RESULTS.md), 32 updates an iteration against 16 took about 0.1 M fewer env
# steps to start halfcheetah's gait and 0.1-0.3 M fewer to start Ant's walk on 3 of 4 seeds (the
# other stalled near 900 to 1 M). Halfcheetah ended far higher: 3,053 ± 215 at 0.98 M against
# 2,063 ± 59 at 1 M; Ant's mean was above at every report from 0.2 M to 0.9 M and level at 1 M
# (3 seeds: 1,454 ± 550 against 1,446 ± 112) ("Twice the learner updates per env step on Ant",
# "Halfcheetah to 1 M with 32 learner updates", "MPO on Ant: the third seed to 1 M"), for about
# 1.7× (halfcheetah) and 1.6× (Ant) the time per env step.
LOCOMOTION = dict(
    num_envs=64, unroll_length=16, unrolls=1, num_timesteps=5_000_000, batch_size=64,
    updates_per_iteration=32, replay_capacity=65_536, warmup_steps=16_384, num_action_samples=20,
    policy_hidden=(256,) * 3, critic_hidden=(256,) * 3, activation="elu", discount=0.99,
    learning_rate=3e-4, critic_learning_rate=3e-4, target_update="polyak", polyak_tau=5e-3,
    max_grad_norm=40.0, reward_scaling=1.0)

# Ant: ε_Σ = 1e-2 (measured at 16 learner updates an iteration). With 1e-5 the policy's σ cannot
# leave its initial 0.69 (m_step's bound: e^0.09 in 1 M steps at 16 updates), so Q, the value of
# sampling from π, sat far below the mode's discounted return, a leap out of Ant's healthy height
# range cost little in Q, and both seeds' evaluations fell after 0.55 M steps. With 1e-2 σ fell
# to 0.15-0.28 by 1 M and both seeds kept rising: 1,282 ± 244 at 1 M against 761 ± 141 (3 seeds:
# 1,195 ± 229), on a CPU (examples/benchmarks/RESULTS.md, "MPO on Ant: the policy's noise"); with
# 1e-3 σ fell too slowly (0.54 at 1 M) and both seeds fell after 0.6-0.7 M, to 673 ± 409 ("Ant
# with ε_Σ = 1e-3"). Halfcheetah keeps 1e-5: it cannot fall, and with 1e-2 its σ grew (entropy
# 6.31 → 7.05 at 0.5 M on one seed) and both seeds ended lower, 1,601 ± 81 against 2,034 ± 3
# at 1 M ("MPO on halfcheetah with ε_Σ = 1e-2").
ANT = dict(LOCOMOTION, epsilon_cov=1e-2)


# 8 envs × 16-step Retrace sequences per iteration, 32 learner updates of 16 sequences (UTD
# 0.25 updates per env step), Polyak targets. Once every episode lasts 1000 steps Q is nearly
# flat and the M-step moves the policy's mean as far as ε_μ allows on noise: with ε_μ = 2.5e-3
# seed 9 of 10 ended driving the cart into the rail (return 127); ε_μ = 1e-3 solved 10 of 10
# until the key streams changed (2026-12-05), then seed 7 failed the same way (166; 141 with
# 20 % more steps); ε_μ = 5e-4 solves 10 of 10 (examples/benchmarks/RESULTS.md, robustness).
@algorithm(options=MPOOptions, hparams=MPOHParams, presets={"inverted_pendulum": dict(
    num_envs=8, unroll_length=16, num_timesteps=25_600, batch_size=16, num_action_samples=8,
    updates_per_iteration=32, replay_capacity=8192, warmup_steps=1024, target_update="polyak",
    policy_hidden=(64, 64), critic_hidden=(64, 64), discount=0.99, learning_rate=3e-4,
    critic_learning_rate=1e-3, polyak_tau=0.01, epsilon_mean=5e-4),
    # Categorical policy: the E-step weighs both actions exactly; 40 960 env steps
    # (examples/benchmarks/RESULTS.md).
    "gymnax/CartPole-v1": dict(
        num_envs=8, unroll_length=16, num_timesteps=40_960, batch_size=16,
        updates_per_iteration=16, replay_capacity=4096, warmup_steps=1024,
        target_update="polyak", polyak_tau=0.01, critic_hidden=(64, 64), learning_rate=1e-3,
        critic_learning_rate=1e-3, discount=0.99),
    "halfcheetah": LOCOMOTION, "ant": ANT})
def mpo(run, options, hp) -> OffPolicy:
  """MPO: E-step over sampled actions, decoupled KL-constrained M-step, Retrace critic."""
  updates = options.updates_per_iteration
  if run.policy_family == "categorical":
    reweighter = estep.categorical_mpo(hp.estep_epsilon, hp.temperature_init,
                                       hp.temperature_learning_rate)
    actions = mpo_actions.enumerated()
  else:
    reweighter = estep.mpo(hp.estep_epsilon, options.num_action_samples, hp.temperature_init,
                           hp.temperature_learning_rate)
    actions = mpo_actions.sampled(options.num_action_samples)
  return OffPolicy(
      reweighter=reweighter, actions=actions,
      policy_optimizer=adam(run, options, hp, hp.learning_rate, updates),
      critic_loss=losses.value_loss(1.0),
      critic_optimizer=adam(run, options, hp, hp.critic_learning_rate, updates),
      **m_step(run, hp))
