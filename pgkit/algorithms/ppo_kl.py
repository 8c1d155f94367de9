"""PPO with an adaptive KL penalty (Schulman et al. 2017, arXiv:1707.06347, section 4):
minimise ``−mean(ρ·Â) + β·KL(π_old‖π_θ)``, then adapt β from the measured KL by dual gradient
ascent ``β ← max(0, β + α(KL − ε))`` or by the paper's ×2 / ÷2 rule (config ``kl_rule``)."""
from pgkit import duals, losses
from pgkit.algorithms.base import OnPolicy, adam, critic, gae_advantages


def ppo_kl(config, hp) -> OnPolicy:
  if config.kl_rule == "multiplicative":
    beta = duals.adaptive_kl_multiplicative(hp.kl_target, hp.beta_init)
  else:
    beta = duals.adaptive_kl_dual_ascent(hp.kl_target, hp.beta_learning_rate, hp.beta_init)
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(), losses.kl_penalty("beta"),
                               losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=adam(config, hp, hp.learning_rate, config.epochs * config.minibatches),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches,
      duals=beta,
      **critic(config, hp))
