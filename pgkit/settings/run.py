"""Run settings: what every algorithm's run has (env, sizes, networks, evaluation, output)."""
from __future__ import annotations

from pgkit.settings import envs
from pgkit.settings.errors import InputError
from pgkit.settings.fields import Options, field

BACKENDS = ("spring", "positional", "generalized", "mjx")
# "auto" follows the env's action space: categorical on discrete actions, tanh_gaussian else.
POLICIES = ("auto", "tanh_gaussian", "gaussian", "categorical")
ACTIVATIONS = ("tanh", "swish", "relu", "elu")
# Run settings that name what a run reports and where, not what it trains: they may differ when
# a run resumes, and compiled functions do not depend on them.
OUTPUT_FIELDS = ("run_dir", "wandb_project", "eval_at_reports")


class RunSettings(Options):
  """Settings shared by every algorithm: environment, batch shape, networks, evaluation, output."""

  env: str = field("inverted_pendulum", "environment: a Brax env (ant, ...), gymnax/TASK or "
                   "playground/TASK (pgkit train --help lists them)")
  backend: str = field("positional", "Brax physics pipeline (Brax envs only)", choices=BACKENDS)
  num_timesteps: int = field(300_000, "environment steps to train for, rounded up to whole "
                             "iterations", ge=1)
  num_envs: int = field(64, "environments stepped in parallel", ge=1)
  unroll_length: int = field(64, "steps per environment in one unroll (one sequence)", ge=1)
  unrolls: int = field(1, "sequential unrolls per iteration; an iteration collects num_envs · "
                       "unrolls sequences of unroll_length steps", ge=1)
  episode_length: int = field(1000, "steps after which an episode is truncated", ge=1)
  policy: str = field("auto", "action distribution of the policy (auto: categorical for "
                      "discrete actions, tanh_gaussian for continuous ones)", choices=POLICIES)
  policy_hidden: tuple[int, ...] = field((64, 64), "hidden layer sizes of the policy", ge=1)
  critic_hidden: tuple[int, ...] = field((64, 64), "hidden layer sizes of the critic (V or Q)",
                                         ge=1)
  activation: str = field("tanh", "activation of both networks", choices=ACTIVATIONS)
  critic_matmul: str = field("float32", "precision of the critic's matrix products: float32, "
                             "or bfloat16 operands accumulated in float32, as TPUs multiply "
                             "by default (on a CPU with AVX512_BF16 the training step then "
                             "compiles with YNNPACK's products; a ppo_clip step at Brax's "
                             "settings ran 4-6 % faster)",
                             choices=("float32", "bfloat16"))
  policy_init_scale: float = field(0.01, "variance scale of the policy's last layer at "
                                   "initialisation (the hidden layers' is 1, LeCun uniform): "
                                   "0.01 starts every state's action distribution near the "
                                   "same centre; 1 as the hidden layers (Brax's networks)",
                                   gt=0.0)
  reset_states: str = field("fresh", "where ended episodes restart: fresh (new reset states "
                            "drawn every iteration) or pool (the start states drawn once at "
                            "init, shuffled over the envs every iteration: no env.reset in "
                            "the compiled step, as Brax's auto-reset)",
                            choices=("fresh", "pool"))
  normalize_observations: bool = field(True, "normalise observations by running mean and std")
  observation_clip: float = field(5.0, "the networks' inputs are clipped to ±this: the "
                                  "normalised observations, or the raw ones before the first "
                                  "statistics and without normalize_observations (inf: not "
                                  "clipped, as Brax's PPO)", gt=0.0, inf=True)
  eval_envs: int = field(16, "episodes of the final deterministic evaluation", ge=1)
  eval_at_reports: bool = field(False, "also evaluate the deterministic policy at every report "
                                "(eval_envs episodes): eval_return in the report line and the "
                                "logs, a curve of it against env steps")
  devices: int = field(0, "local devices to train on (0: all): the env batch is split over "
                       "them along num_envs, a sweep's runs are spread over them", ge=0)
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

  def validate(self, owner: str, run=None) -> None:
    """The fields and their rules, then whether the env's family package is installed."""
    super().validate(owner, run)
    missing = envs.missing_extra(self.env)
    if missing:
      raise InputError(f"{owner}: {missing}")

  def relations(self, run):
    yield from super().relations(run)
    wrong = envs.problem(self.env)
    if wrong:
      yield "env", wrong
      return
    if envs.discrete(self.env) and self.policy not in ("auto", "categorical"):
      yield "policy", f"auto or categorical ({self.env} has discrete actions)"
    elif not envs.discrete(self.env) and self.policy == "categorical":
      yield "policy", (f"auto, tanh_gaussian or gaussian ({self.env} has continuous actions)")

  @property
  def policy_family(self) -> str:
    """The policy's distribution with ``auto`` resolved by the env's action space."""
    if self.policy != "auto":
      return self.policy
    return "categorical" if envs.discrete(self.env) else "tanh_gaussian"

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
    """The settings a compiled trainer depends on: the seed and the ``OUTPUT_FIELDS`` set to
    their defaults, so runs that differ only there share compiled functions."""
    defaults = RunSettings()
    return self.replace(**{k: getattr(defaults, k) for k in ("seed",) + OUTPUT_FIELDS})
