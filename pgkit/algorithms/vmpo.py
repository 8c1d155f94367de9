"""V-MPO (Song et al. 2019, "V-MPO: On-Policy Maximum a Posteriori Policy Optimization for
Discrete and Continuous Control", arXiv:1909.12238): on-policy E-step ``softmax(A/η)`` over the
top-k GAE advantages of each minibatch, η from its convex dual; M-step weighted log-likelihood
under decoupled mean/covariance KL constraints with multipliers α_μ, α_Σ by dual ascent (one
KL bound and one α for a categorical policy)."""
from pgkit import estep
from pgkit.algorithms.base import (GAEHParams, LearningRate, MinibatchOptions, OnPolicy,
                                   gae_advantages, policy_adam, shared)
from pgkit.algorithms.m_step import MStepHParams, m_step
from pgkit.settings import algorithm, field


class VMPOOptions(MinibatchOptions):
  top_k_fraction: float = field(0.5, "fraction of each minibatch's samples the E-step keeps "
                                "(sets a shape)", gt=0.0, le=1.0)

  def relations(self, run):
    yield from super().relations(run)
    if run is not None:
      per_minibatch = run.unroll_length * run.num_sequences // self.minibatches
      if int(self.top_k_fraction * per_minibatch) < 1:
        yield "top_k_fraction", (f">= 1/{per_minibatch} (it keeps no sample of a minibatch of "
                                 f"{per_minibatch})")


class VMPOHParams(GAEHParams, LearningRate, MStepHParams):
  pass


# The weighted regression onto the top half of the advantages drifts the mean when the critic
# is poor, so the critic gets more epochs and the mean a tight bound ε_μ.
@algorithm(options=VMPOOptions, hparams=VMPOHParams, presets={"inverted_pendulum": dict(
    num_envs=64, unroll_length=32, num_timesteps=81_920, epochs=4, minibatches=4,
    critic_epochs=8, critic_minibatches=4, policy_hidden=(32, 32), critic_hidden=(32, 32),
    top_k_fraction=0.5, discount=0.99, learning_rate=1e-3, critic_learning_rate=3e-3,
    epsilon_mean=2e-3, epsilon_cov=1e-4, alpha_mean_learning_rate=50.0,
    alpha_cov_learning_rate=1000.0)})
def vmpo(run, options, hp) -> OnPolicy:
  """V-MPO: top-k E-step over advantages, decoupled KL-constrained M-step."""
  return OnPolicy(
      advantages=gae_advantages(hp),
      reweighter=estep.vmpo(options.top_k_fraction, hp.estep_epsilon, hp.temperature_init,
                            hp.temperature_learning_rate),
      **m_step(run, hp),
      **policy_adam(run, options, hp, options.epochs, options.minibatches),
      **shared(run, options, hp, decoupled_kl=run.policy_family != "categorical"))
