"""What the settings tests share: flattening settings to {field: value}, and a user's algorithm
declared in its own file (as ``pgkit train my_file.py:name`` would load it)."""
import dataclasses

BUILTINS = ["a2c", "is_pg", "mpo", "npg", "ppo_clip", "ppo_kl", "reinforce", "trpo", "trpo_vine",
            "vmpo"]

# A user's algorithm: PPO-clip's assembly under its own name and settings, plus an attribute that
# is not an algorithm.
USER_ALGORITHM = '''
import pgkit
from pgkit.algorithms import ppo_clip
from pgkit.algorithms.ppo_clip import PPOClipHParams, PPOClipOptions
from pgkit.settings import field


class ClipTwiceHParams(PPOClipHParams):
  twice_coef: float = field(2.0, "a coefficient only this algorithm has", gt=0.0)


@pgkit.algorithm(options=PPOClipOptions, hparams=ClipTwiceHParams, register=False,
                 presets={"inverted_pendulum": dict(num_envs=32, twice_coef=3.0)})
def clip_twice(run, options, hp):
  """PPO-clip, declared in a user's file."""
  return ppo_clip(run, options, hp)


not_an_algorithm = 3
'''


def flat(settings) -> dict:
  """Every field of the run settings, options and hyperparameters by name."""
  return {k: v for part in settings.parts.values() for k, v in dataclasses.asdict(part).items()}


def write_user_algorithm(path) -> str:
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(USER_ALGORITHM)
  return str(path)
