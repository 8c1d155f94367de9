"""Run settings: what every algorithm's run has (env, sizes, networks, evaluation, output)."""
from __future__ import annotations

from pgkit.settings.fields import Options, field

# Brax's environment registry (``brax.envs._envs``), written out so that ``--help`` and
# validation need not import Brax; tests/settings check it against Brax's own list.
BRAX_ENVS = ("ant", "fast", "halfcheetah", "hopper", "humanoid", "humanoidstandup",
             "inverted_double_pendulum", "inverted_pendulum", "pusher", "reacher", "swimmer",
             "walker2d")
BACKENDS = ("spring", "positional", "generalized", "mjx")
# Brax's environments have continuous actions; categorical policies need a discrete env.
POLICIES = ("tanh_gaussian", "gaussian")
ACTIVATIONS = ("tanh", "swish", "relu", "elu")


class RunSettings(Options):
  """Settings shared by every algorithm: environment, batch shape, networks, evaluation, output."""

  env: str = field("inverted_pendulum", "Brax environment", choices=BRAX_ENVS)
  backend: str = field("positional", "Brax physics pipeline", choices=BACKENDS)
  num_timesteps: int = field(300_000, "environment steps to train for, rounded up to whole "
                             "iterations", ge=1)
  num_envs: int = field(64, "environments stepped in parallel", ge=1)
  unroll_length: int = field(64, "steps per environment in one unroll (one sequence)", ge=1)
  unrolls: int = field(1, "sequential unrolls per iteration; an iteration collects num_envs · "
                       "unrolls sequences of unroll_length steps", ge=1)
  episode_length: int = field(1000, "steps after which an episode is truncated", ge=1)
  policy: str = field("tanh_gaussian", "action distribution of the policy", choices=POLICIES)
  policy_hidden: tuple[int, ...] = field((64, 64), "hidden layer sizes of the policy", ge=1)
  critic_hidden: tuple[int, ...] = field((64, 64), "hidden layer sizes of the critic (V or Q)",
                                         ge=1)
  activation: str = field("tanh", "activation of both networks", choices=ACTIVATIONS)
  normalize_observations: bool = field(True, "normalise observations by running mean and std")
  eval_envs: int = field(16, "episodes of the final deterministic evaluation", ge=1)
  seed: int = field(0, "seed of the run's PRNG key", ge=0)
  num_chunks: int = field(10, "reports per run (progress line, metrics row, checkpoint); a "
                          "stop waits for the compiled unit in flight (at most a report or "
                          "2^19 env steps)", ge=1)
  on_divergence: str = field("warn", "a diverging run (mean KL per iteration over a report > 1 "
                             "nat) warns, or stops with an error", choices=("warn", "error"))
  run_dir: str | None = field(None, "the run folder: settings, metrics (JSONL, CSV, "
                              "TensorBoard), checkpoints and the result; a folder holding this "
                              "run resumes it. pgkit train defaults to runs/<algo>-<env>-<time>; "
                              "from Python, None writes nothing")
  wandb_project: str | None = field(None, "also log the metrics to this Weights & Biases "
                                    "project (pip install 'pgkit[wandb]')")

  @property
  def num_sequences(self) -> int:
    """Sequences collected per iteration."""
    return self.num_envs * self.unrolls

  @property
  def steps_per_iteration(self) -> int:
    return self.num_envs * self.unroll_length * self.unrolls

  @property
  def num_iterations(self) -> int:
    return max(1, -(-self.num_timesteps // self.steps_per_iteration))

  def compiled_part(self) -> "RunSettings":
    """The settings a compiled trainer depends on: the seed and output places set to their
    defaults, so runs that differ only there share compiled functions."""
    return self.replace(seed=0, run_dir=None, wandb_project=None)
