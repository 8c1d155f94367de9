"""PPO with an adaptive KL penalty (Schulman et al. 2017, "Proximal Policy Optimization
Algorithms", arXiv:1707.06347, section 4): minimise ``−mean(ρ·Â) + β·KL(π_old‖π_θ)``, then adapt
β from the measured KL by dual gradient ascent ``β ← max(0, β + α(KL − ε))`` or by the paper's
×2 / ÷2 rule (option ``kl_rule``)."""
from pgkit import duals, losses
from pgkit.algorithms.base import (Entropy, GAEHParams, LearningRate, MinibatchOptions, OnPolicy,
                                   gae_advantages, policy_adam, shared)
from pgkit.settings import algorithm, field, presets


class PPOKLOptions(MinibatchOptions):
  kl_rule: str = field("dual_ascent", "how β adapts: dual ascent or the paper's ×2 / ÷2 rule",
                       choices=("dual_ascent", "multiplicative"))


class PPOKLHParams(GAEHParams, LearningRate, Entropy):
  kl_target: float = field(0.01, "ε of the constraint KL(π_old‖π_θ) ≤ ε", gt=0.0)
  beta_init: float = field(1.0, "initial penalty coefficient β", ge=0.0)
  beta_learning_rate: float = field(1.0, "step size α of β's dual ascent", ge=0.0)


@algorithm(options=PPOKLOptions, hparams=PPOKLHParams,
           presets={"inverted_pendulum": dict(kl_target=0.01),
                    **{env: presets.locomotion(env, "clip_epsilon")
                       for env in presets.LOCOMOTION}})
def ppo_kl(run, options, hp) -> OnPolicy:
  """PPO with an adaptive KL penalty β."""
  if options.kl_rule == "multiplicative":
    beta = duals.adaptive_kl_multiplicative(hp.kl_target, hp.beta_init)
  else:
    beta = duals.adaptive_kl_dual_ascent(hp.kl_target, hp.beta_learning_rate, hp.beta_init)
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(), losses.kl_penalty("beta"),
                               losses.entropy_bonus(hp.entropy_coef)),
      advantages=gae_advantages(hp),
      duals=beta,
      **policy_adam(run, options, hp, options.epochs, options.minibatches),
      **shared(run, options, hp))
