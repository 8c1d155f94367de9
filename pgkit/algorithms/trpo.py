"""Trust Region Policy Optimization (Schulman et al. 2015, arXiv:1502.05477):
``min_θ −L̂(θ)  s.t.  mean KL(π_old ‖ π_θ) ≤ δ``, solved per batch by the natural-gradient
direction (damped CG on the KL Hessian), scaled to the quadratic trust region, then a
backtracking line search that accepts only a step with ``KL ≤ δ`` and an improved surrogate.

``trpo`` estimates ``L̂`` from the single-path rollout with GAE advantages; ``trpo_vine``
branches ``vine_actions`` actions from ``vine_states`` saved states of the rollout and uses the
self-normalised importance estimate."""
import optax

from pgkit import losses, precondition
from pgkit.algorithms.base import OnPolicy, PolicyBatch, gae_advantages, shared
from pgkit.algorithms.npg import NATURAL_PRESET, NaturalHParams, NaturalOptions
from pgkit.envs.vine import vine_policy_batch
from pgkit.settings import algorithm, field, presets


class TRPOOptions(NaturalOptions):
  linesearch_steps: int = field(10, "backtracking steps of the KL line search", ge=1)


class TRPOHParams(NaturalHParams):
  backtrack_ratio: float = field(0.8, "the line search shrinks the step by this", gt=0.0,
                                 lt=1.0)


class TRPOVineOptions(TRPOOptions):
  vine_states: int = field(64, "N states of the rollout that branches start from", ge=1)
  vine_actions: int = field(4, "K actions tried from each state", ge=2)
  vine_horizon: int = field(32, "steps of each branch before bootstrapping with the critic",
                            ge=1)

  def relations(self, run):
    yield from super().relations(run)
    if run is not None and self.vine_states > run.steps_per_iteration:
      yield "vine_states", (f"<= num_envs · unroll_length · unrolls = {run.steps_per_iteration}"
                            " (the states of one iteration's rollout)")


def _trpo(run, options, hp, surrogate, policy_batch=None) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(surrogate, losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(
          precondition.natural_gradient(options.cg_iters, hp.damping),
          precondition.scale_to_trust_region(hp.max_kl),
          precondition.kl_linesearch(hp.max_kl, hp.backtrack_ratio, options.linesearch_steps)),
      advantages=gae_advantages(hp),
      optimizer_metrics=precondition.diagnostics,
      **({"policy_batch": policy_batch} if policy_batch else {}),
      **shared(run, options, hp))


# CartPole-v1 (categorical policy): with the default δ = 0.01 and 300k steps one seed of 3 ended
# at 237; δ = 0.02 over 500k steps reached 500 on 3 of 3 (examples/benchmarks/RESULTS.md).
CARTPOLE = dict(max_kl=0.02, num_timesteps=500_000)
# Brax's locomotion tasks (presets.LOCOMOTION's networks and coefficients): one step per
# 2048 × 32 = 65 536 env steps and δ = 0.01, near the paper's 50 000 steps per batch and δ of its
# locomotion runs; 4 critic epochs (its critic sees the batch once per step).
LOCOMOTION = dict(num_envs=2048, unroll_length=32, unrolls=1, max_kl=0.01, critic_epochs=4)
_PPO_ONLY = ("clip_epsilon", "epochs", "minibatches", "learning_rate", "critic_updates")


@algorithm(options=TRPOOptions, hparams=TRPOHParams,
           presets={"inverted_pendulum": dict(NATURAL_PRESET, max_kl=0.02),
                    "gymnax/CartPole-v1": CARTPOLE,
                    **{env: presets.locomotion(env, *_PPO_ONLY, **LOCOMOTION)
                       for env in presets.LOCOMOTION}})
def trpo(run, options, hp) -> OnPolicy:
  """TRPO with single-path sampling."""
  return _trpo(run, options, hp, losses.surrogate())


@algorithm(options=TRPOVineOptions, hparams=TRPOHParams,
           presets={"inverted_pendulum": dict(NATURAL_PRESET, max_kl=0.02),
                    "gymnax/CartPole-v1": CARTPOLE})
def trpo_vine(run, options, hp) -> OnPolicy:
  """TRPO with vine sampling: K actions branched from N saved states."""
  batch = vine_policy_batch(options.vine_states, options.vine_actions, options.vine_horizon,
                            hp.discount, hp.reward_scaling)
  return _trpo(run, options, hp, losses.self_normalized_surrogate(options.vine_actions),
               PolicyBatch(batch, needs_env_states=True))
