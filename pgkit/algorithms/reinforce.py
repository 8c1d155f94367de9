"""REINFORCE with a learned baseline (Williams 1992): one gradient step per batch on
``−log π(a|s)·(G − V(s))`` plus an optional entropy bonus."""
from pgkit import losses
from pgkit.algorithms.base import OnPolicy, adam, critic, reward_to_go_advantages


def reinforce(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.reinforce(), losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=adam(config, hp, hp.learning_rate, 1),
      advantages=reward_to_go_advantages(hp),
      **critic(config, hp))
