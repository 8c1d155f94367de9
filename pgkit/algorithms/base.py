"""What an on-policy algorithm is: a description made of pieces the trainer runs, the settings
the on-policy trainer declares, and helpers to build the pieces.

An assembly ``build(run, options, hp) -> OnPolicy`` reads its own static ``options`` and float
``hp`` (possibly traced) and returns pieces; the trainer reads only those pieces, never a
switch of its own handed through the description. Each piece has one protocol:

* ``advantages(reward, value, next_value, termination, truncation) -> advantage`` (``[T]``),
  or ``(advantage, value_target)`` when the critic's targets are not ``advantage + value``;
* ``policy_minibatches`` / ``critic_minibatches``: ``Minibatches(epochs, minibatches)``;
* ``early_stop(metrics) -> bool``: stop an iteration's remaining policy updates (masked);
* ``minibatch_advantages(advantage [N]) -> [N]``: e.g. standardisation per minibatch;
* ``terms(dist, old_dist, minibatch, advantage) -> LossTerms`` for the policy loss;
* ``duals``: a ``DualUpdater`` fed the batch means of the KL terms after the updates;
* ``reweighter``: an E-step over each minibatch's advantages (``estep.none()``: no weights);
* ``policy_batch``: ``PolicyBatch(build(key, Rollout) -> batch, needs_env_states)``;
* ``optimizer_metrics(policy_opt_state) -> dict`` logged after each policy update.
"""
from __future__ import annotations

import math
from typing import Any, Callable, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import optax

from pgkit import duals as duals_lib
from pgkit import estep, losses, returns
from pgkit.precondition.clipping import clip_by_global_norm
from pgkit.random import permutations
from pgkit.settings import HParams, Options, field

Array = jax.Array
AdvantageFn = Callable[..., Array]


class Minibatches(NamedTuple):
  """``epochs`` passes over a batch ``[T, B]``, each split into ``minibatches`` along B.

  Each pass draws a fresh permutation of the B sequences and cuts it into minibatches of
  ``⌊B / minibatches⌋``; when B is not a multiple, the ``B mod minibatches`` sequences left over
  sit out that pass (different ones each pass), so any number of environments works.
  """

  epochs: int = 1
  minibatches: int = 1

  @property
  def updates(self) -> int:
    return self.epochs * self.minibatches

  def indices(self, key, b: int) -> Array:
    """``[epochs·minibatches, ⌊b/minibatches⌋]``: the sequences each update reads."""
    size = b // self.minibatches
    perms = permutations(key, self.epochs, b)[:, :size * self.minibatches]
    return perms.reshape(self.updates, size)

  @staticmethod
  def take(batch, index: Array):
    """The minibatch ``[T, len(index), ...]`` of the sequences ``index`` of ``batch``."""
    return jax.tree.map(lambda x: x[:, index], batch)

  def split(self, key, batch):
    """Every minibatch at once, ``[epochs·minibatches, T, ⌊B/minibatches⌋, ...]`` (the
    trainer instead gathers each inside its update: ``take(batch, indices(...)[i])``)."""
    index = self.indices(key, jax.tree.leaves(batch)[0].shape[1])
    return jax.vmap(lambda i: self.take(batch, i))(index)


class Rollout(NamedTuple):
  """What a ``policy_batch`` builder reads: the single-path rollout and what produced it."""

  env: Any
  policy: Any  # networks.Policy
  critic: Any  # networks.Critic
  policy_params: Any  # θ_old, the policy that acted
  critic_params: Any
  obs_stats: Any  # the normalisation used while acting
  env_states: Any  # Brax states [T, B] before each step (when needs_env_states), else None
  batch: Any  # the single-path batch [T, B] (normalised observations, GAE advantages, ...)


class PolicyBatch(NamedTuple):
  """How the policy-update batch is made from a rollout (the critic always fits the rollout)."""

  build: Callable[[Array, Rollout], Any]
  needs_env_states: bool = False  # record Brax states while acting (for branching)


def single_path() -> PolicyBatch:
  """The rollout's own batch."""
  return PolicyBatch(lambda key, rollout: rollout.batch)


def never(metrics) -> bool:
  return False


def kl_above(target_kl) -> Callable[[dict], Array]:
  """Early stop once the minibatch's KL(π_old‖π_θ) before an update exceeds ``target_kl``."""
  return lambda metrics: metrics["kl_before_update"] > target_kl


def standardize(advantage: Array) -> Array:
  return (advantage - jnp.mean(advantage)) / (jnp.std(advantage) + 1e-8)


def identity(advantage: Array) -> Array:
  return advantage


def loss_terms(importance: str = "per_step", decoupled_kl: bool = False,
               entropy: str = "base"):
  """``terms(dist, old, mb, advantage) -> LossTerms`` flattened to ``[T·b]``: log-probs (summed
  per decision or per trajectory when ``importance`` says so), KL(π_old‖π_θ), entropy (with
  ``entropy="squashed"`` that of a tanh-Gaussian's squashed actions,
  ``networks.squashed_entropy``, else the distribution's own), and with ``decoupled_kl`` the
  mean and covariance parts of the KL (MPO-style M-steps)."""

  def terms(dist, old, mb, advantage):
    log_prob, behaviour = dist.log_prob(mb.action), mb.behaviour_log_prob
    if importance != "per_step":
      agg = jax.vmap(lambda x, d: returns.aggregate_log(importance, x, d), in_axes=1,
                     out_axes=1)
      log_prob, behaviour = agg(log_prob, mb.done), agg(behaviour, mb.done)
    flat = lambda x: x.reshape(-1)
    if entropy == "squashed":
      from pgkit.networks import squashed_entropy  # distrax: imported only when tracing
      ent = squashed_entropy(dist, old, mb.action)
    else:
      ent = dist.entropy()
    out = losses.LossTerms(log_prob=flat(log_prob), behaviour_log_prob=flat(behaviour),
                           advantage=advantage, kl=flat(old.kl_divergence(dist)),
                           entropy=flat(ent))
    if decoupled_kl:
      kl_mean, kl_cov = losses.decoupled_gaussian_kl(old, dist)
      out = out._replace(kl_mean=flat(kl_mean), kl_cov=flat(kl_cov))
    return out

  return terms


class OnPolicy(NamedTuple):
  """An on-policy algorithm, as the on-policy trainer reads it (see the module docstring)."""

  policy_loss: losses.LossTransform
  policy_optimizer: optax.GradientTransformation
  critic_loss: losses.LossTransform
  critic_optimizer: optax.GradientTransformation
  advantages: AdvantageFn
  policy_minibatches: Minibatches = Minibatches()
  critic_minibatches: Minibatches = Minibatches()
  early_stop: Callable[[dict], Any] = never
  minibatch_advantages: Callable[[Array], Array] = standardize
  terms: Callable[..., losses.LossTerms] = loss_terms()
  duals: duals_lib.DualUpdater = duals_lib.none()
  reweighter: estep.Reweighter = estep.none()
  policy_batch: PolicyBatch = single_path()
  optimizer_metrics: Callable[[Any], dict] = lambda opt_state: {}


# ---- Settings the on-policy trainer and the shared helpers below read ----------------------

class OnPolicyOptions(Options):
  """Options of every on-policy algorithm: critic fitting and learning-rate schedule."""

  trainer: ClassVar[str] = "on_policy"

  critic_epochs: int = field(4, "passes of critic fitting over each batch", ge=1)
  critic_minibatches: int = field(4, "critic minibatches per pass over the num_envs · unrolls "
                                  "sequences", ge=1)
  lr_schedule: str = field("constant", "learning-rate schedule of the Adam optimizers "
                           "(linear decays to 0)", choices=("constant", "linear"))
  normalize_advantages: bool = field(True, "standardise advantages within each minibatch")
  stats_update: str = field("after", "when the observation statistics absorb an iteration's "
                            "batch (with normalize_observations): after the updates, which then "
                            "see the inputs the policy acted on, or before them (as Brax's PPO: "
                            "the updates and the next unroll see the same statistics)",
                            choices=("after", "before"))
  entropy_estimate: str = field("base", "entropy of a tanh_gaussian policy in the entropy bonus "
                                "and metrics: of its Gaussian before tanh (base), or of the "
                                "squashed actions, base + E[log|det J|] at a sample (squashed, "
                                "as Brax's PPO)", choices=("base", "squashed"))

  @property
  def critic_schedule(self) -> str:
    """How the critic's updates meet the policy's: ``MinibatchOptions.critic_updates``, and
    "separate" for algorithms of one policy update per batch."""
    return "separate"

  @property
  def joint_critic(self) -> bool:
    """Whether the critic updates with the policy (``critic_schedule`` "joint")."""
    return self.critic_schedule == "joint"

  def critic_batches(self) -> "Minibatches":
    return Minibatches(self.critic_epochs, self.critic_minibatches)

  def relations(self, run):
    yield from super().relations(run)
    if run is not None and self.critic_minibatches > run.num_sequences:
      yield "critic_minibatches", f"<= num_envs · unrolls = {run.num_sequences}"
    if (run is not None and self.entropy_estimate == "squashed"
        and run.policy_family != "tanh_gaussian"):
      yield "entropy_estimate", (f"base (squashed is the entropy of a tanh_gaussian policy; "
                                 f"this run's policy is {run.policy_family})")


class MinibatchOptions(OnPolicyOptions):
  """Options of algorithms that reuse each batch for several minibatch updates."""

  epochs: int = field(4, "passes of policy updates over each batch", ge=1)
  minibatches: int = field(4, "policy minibatches per pass over the num_envs · unrolls "
                           "sequences", ge=1)
  critic_updates: str = field("separate", "the critic fits each batch after the policy "
                              "updates, on its own epochs and minibatches (separate); the same "
                              "updates with the same results, each critic update in the loop "
                              "iteration of a policy update (interleaved: fewer loop "
                              "iterations, for accelerators); or one update on each policy "
                              "minibatch, whose advantages and value targets are recomputed "
                              "from the current critic first (joint, as Brax's PPO; "
                              "critic_epochs and critic_minibatches are not read)",
                              choices=("separate", "interleaved", "joint"))

  @property
  def critic_schedule(self) -> str:
    return self.critic_updates

  def critic_batches(self) -> "Minibatches":
    if self.joint_critic:
      return Minibatches(self.epochs, self.minibatches)
    return super().critic_batches()

  def relations(self, run):
    yield from super().relations(run)
    if run is not None and self.minibatches > run.num_sequences:
      yield "minibatches", f"<= num_envs · unrolls = {run.num_sequences}"


class OnPolicyHParams(HParams):
  """Hyperparameters of every on-policy algorithm: rewards, discount and the critic's Adam."""

  discount: float = field(0.99, "discount factor γ", ge=0.0, le=1.0)
  reward_scaling: float = field(1.0, "rewards are multiplied by this before any estimate",
                                gt=0.0)
  critic_learning_rate: float = field(1e-3, "Adam step size of the critic", gt=0.0)
  max_grad_norm: float = field(0.5, "global-norm clipping of every Adam gradient (inf: off)",
                               gt=0.0, inf=True)
  value_clip_epsilon: float = field(math.inf, "clip the critic's change per update to ±ε "
                                    "around its old value (inf: off)", gt=0.0, inf=True)


class GAEHParams(OnPolicyHParams):
  gae_lambda: float = field(0.95, "λ of GAE(γ, λ)", ge=0.0, le=1.0)


class LearningRate(HParams):
  learning_rate: float = field(3e-4, "Adam step size of the policy", gt=0.0)


class Entropy(HParams):
  entropy_coef: float = field(0.0, "weight of the entropy bonus", ge=0.0)


# ---- Helpers the assemblies share ----------------------------------------------------------

def gae_advantages(hp) -> AdvantageFn:
  """GAE(γ, λ) with Brax's separate termination and truncation (``returns.gae``)."""
  def fn(reward, value, next_value, termination, truncation):
    return returns.gae(reward, value, next_value, termination, truncation, hp.discount,
                       hp.gae_lambda)
  return fn


def within_sequences(advantages: AdvantageFn, length: int) -> AdvantageFn:
  """``advantages`` with every trace cut at the end of each ``length``-step sequence, which
  bootstraps from ``V(s_{t+1})`` there as a truncated step does: Brax's PPO computes GAE within
  each ``unroll_length``-step sequence of a minibatch this way, where pgkit's default runs the
  traces over each env's whole trajectory of an iteration (``unrolls · unroll_length`` steps).
  A termination still ends a trace with no bootstrap."""
  def fn(reward, value, next_value, termination, truncation):
    ends = (jnp.arange(reward.shape[0]) % length == length - 1).astype(truncation.dtype)
    return advantages(reward, value, next_value, termination, jnp.maximum(truncation, ends))
  return fn


def advantage_estimate(hp, kind: str = "gae",
                       sequence_length: int | None = None) -> AdvantageFn:
  """``OnPolicy.advantages`` for ``kind``: ``gae`` (GAE(γ, λ), targets ``A + V``) or
  ``lambda_return`` (``returns.lambda_return_advantage``, as Brax's PPO: its advantages and
  GAE's targets ``A^λ + V``); with ``sequence_length``, ``within_sequences``."""
  fn = gae_advantages(hp)
  if kind == "lambda_return":
    fn = lambda *a: returns.lambda_return_advantage(*a, hp.discount, hp.gae_lambda)
  return within_sequences(fn, sequence_length) if sequence_length else fn


def reward_to_go_advantages(hp) -> AdvantageFn:
  """``G_t − V(s_t)``: the REINFORCE-with-baseline advantage."""
  def fn(reward, value, next_value, termination, truncation):
    return returns.reward_to_go(reward, next_value, termination, truncation, hp.discount) - value
  return fn


def adam(run, options, hp, learning_rate, updates_per_iteration: int):
  """Adam with global-norm clipping, and optax's linear decay when ``lr_schedule='linear'``."""
  if options.lr_schedule == "linear":
    total = run.num_iterations * updates_per_iteration
    learning_rate = optax.linear_schedule(learning_rate, 0.0, total)
  return optax.chain(clip_by_global_norm(hp.max_grad_norm), optax.adam(learning_rate))


def shared(run, options: OnPolicyOptions, hp: OnPolicyHParams, **terms) -> dict:
  """The pieces every on-policy assembly shares, from the settings every one has: the critic's
  loss, Adam and minibatches, the per-minibatch advantage standardisation, and the loss terms
  (``loss_terms(**terms)`` with the options' entropy estimate)."""
  mb = options.critic_batches()
  return dict(terms=loss_terms(entropy=options.entropy_estimate, **terms),
              critic_loss=losses.value_loss(1.0, hp.value_clip_epsilon),
              critic_optimizer=adam(run, options, hp, hp.critic_learning_rate, mb.updates),
              critic_minibatches=mb,
              minibatch_advantages=standardize if options.normalize_advantages else identity)


def policy_adam(run, options, hp, epochs: int = 1, minibatches: int = 1) -> dict:
  """Adam on the policy (``hp.learning_rate``) over ``epochs × minibatches`` updates a batch."""
  mb = Minibatches(epochs, minibatches)
  return dict(policy_optimizer=adam(run, options, hp, hp.learning_rate, mb.updates),
              policy_minibatches=mb)
