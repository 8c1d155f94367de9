"""V-MPO (Song et al. 2019, "V-MPO: On-Policy Maximum a Posteriori Policy Optimization for
Discrete and Continuous Control", arXiv:1909.12238): on-policy E-step ``softmax(A/η)`` over the
top-k GAE advantages of each minibatch, η from its convex dual; M-step weighted log-likelihood
under decoupled mean/covariance KL constraints with multipliers α_μ, α_Σ by dual ascent."""
from pgkit import duals, estep, losses
from pgkit.algorithms.base import OnPolicy, adam, critic, gae_advantages


def vmpo(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.weighted_log_likelihood(),
                               losses.lagrangian_kl("alpha_mean", "kl_mean", hp.epsilon_mean),
                               losses.lagrangian_kl("alpha_cov", "kl_cov", hp.epsilon_cov)),
      policy_optimizer=adam(config, hp, hp.learning_rate, config.epochs * config.minibatches),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches,
      duals=duals.chain(
          duals.lagrange_multiplier("alpha_mean", hp.epsilon_mean, hp.alpha_mean_learning_rate,
                                    hp.alpha_init, statistic="kl_mean"),
          duals.lagrange_multiplier("alpha_cov", hp.epsilon_cov, hp.alpha_cov_learning_rate,
                                    hp.alpha_init, statistic="kl_cov")),
      reweighter=estep.vmpo(config.top_k_fraction, hp.estep_epsilon, hp.temperature_init,
                            hp.temperature_learning_rate),
      decoupled_kl=True,
      **critic(config, hp))
