"""PPO-clip (Schulman et al. 2017, arXiv:1707.06347): the clipped surrogate plus an entropy
bonus, epochs × minibatches of Adam per batch, optax learning-rate schedules, and an early stop
of the iteration's remaining updates once KL(π_old‖π_θ) exceeds ``hp.target_kl``."""
from pgkit import losses
from pgkit.algorithms.base import OnPolicy, adam, critic, gae_advantages


def ppo_clip(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon),
                               losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=adam(config, hp, hp.learning_rate, config.epochs * config.minibatches),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches,
      target_kl=hp.target_kl,
      **critic(config, hp))
