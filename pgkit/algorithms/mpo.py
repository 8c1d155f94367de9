"""MPO (Abdolmaleki et al. 2018, "Maximum a Posteriori Policy Optimisation", arXiv:1806.06920):
E-step ``softmax(Q/η)`` over N actions from the target policy with η from its convex dual;
M-step weighted maximum likelihood under decoupled mean/covariance KL constraints (arXiv:1812.02256)
with multipliers α_μ, α_Σ by projected dual ascent; Q critic on Retrace targets (the trainer)."""
from pgkit import duals, estep, losses
from pgkit.algorithms.base import adam
from pgkit.algorithms.off_policy import OffPolicy


def mpo(config, hp) -> OffPolicy:
  updates = config.updates_per_iteration
  return OffPolicy(
      reweighter=estep.mpo(hp.estep_epsilon, config.num_action_samples, hp.temperature_init,
                           hp.temperature_learning_rate),
      policy_loss=losses.chain(losses.weighted_log_likelihood(),
                               losses.lagrangian_kl("alpha_mean", "kl_mean", hp.epsilon_mean),
                               losses.lagrangian_kl("alpha_cov", "kl_cov", hp.epsilon_cov)),
      policy_optimizer=adam(config, hp, hp.learning_rate, updates),
      duals=duals.chain(
          duals.lagrange_multiplier("alpha_mean", hp.epsilon_mean, hp.alpha_mean_learning_rate,
                                    hp.alpha_init, statistic="kl_mean"),
          duals.lagrange_multiplier("alpha_cov", hp.epsilon_cov, hp.alpha_cov_learning_rate,
                                    hp.alpha_init, statistic="kl_cov")),
      critic_loss=losses.value_loss(1.0),
      critic_optimizer=adam(config, hp, hp.critic_learning_rate, updates))
