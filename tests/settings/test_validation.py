"""Settings.validate: a ValueError names the algorithm, the field, the value and what is allowed;
the rules between fields belong to the algorithm (or trainer) that declares them."""
import math
import re

import pytest

from pgkit.settings import names_of_algorithms, preset

PPO = preset("ppo_clip", "inverted_pendulum")
ENVS = "ant, fast, halfcheetah, hopper, humanoid, humanoidstandup, inverted_double_pendulum, " \
       "inverted_pendulum, pusher, reacher, swimmer, walker2d"


@pytest.mark.parametrize("changes, message", [
    (dict(clip_epsilon=-0.1), "clip_epsilon must be a finite number > 0, got -0.1"),
    (dict(discount=1.5), "discount must be a finite number >= 0 and <= 1, got 1.5"),
    (dict(learning_rate=math.nan), "learning_rate must be a finite number > 0, got nan"),
    (dict(learning_rate=math.inf), "learning_rate must be a finite number > 0, got inf"),
    (dict(num_envs=0), "num_envs must be an integer >= 1, got 0"),
    (dict(minibatches=65), "minibatches must be <= num_envs · unrolls = 64, got 65"),
    (dict(critic_minibatches=65),
     "critic_minibatches must be <= num_envs · unrolls = 64, got 65"),
    (dict(num_envs=6, unrolls=2),
     "critic_minibatches must be <= num_envs · unrolls = 12, got 16"),
    (dict(env="moon_lander"), f"env must be one of {ENVS}, got 'moon_lander'"),
    (dict(backend="bogus"), "backend must be one of spring, positional, generalized, mjx, got "
                            "'bogus'"),
    (dict(policy="categorical"), "policy must be auto, tanh_gaussian or gaussian "
                                 "(inverted_pendulum has continuous actions), got 'categorical'"),
    (dict(lr_schedule="cosine"), "lr_schedule must be one of constant, linear, got 'cosine'"),
    (dict(policy_hidden=(64, 0)), "policy_hidden must be integers, each >= 1, got (64, 0)"),
    (dict(normalize_advantages="no"), "normalize_advantages must be true or false, got 'no'"),
    (dict(policy="gaussian", entropy_estimate="squashed"),
     "entropy_estimate must be base (squashed is the entropy of a tanh_gaussian policy; this "
     "run's policy is gaussian), got 'squashed'"),
])
def test_ppo_clip_refuses(changes, message):
  with pytest.raises(ValueError, match="^" + re.escape(f"ppo_clip: {message}") + "$"):
    PPO.replace(**changes).validate()


@pytest.mark.parametrize("algo, changes, message", [
    # 32 envs × 64 steps of trpo_vine's preset: 2048 states to branch from
    ("trpo_vine", dict(vine_states=2049),
     "vine_states must be <= num_envs · unroll_length · unrolls = 2048"),
    ("trpo_vine", dict(vine_actions=1), "vine_actions must be an integer >= 2"),
    ("mpo", dict(replay_capacity=7), "replay_capacity must be >= num_envs · unrolls = 8"),
    ("mpo", dict(replay_capacity=15, unrolls=2),
     "replay_capacity must be >= num_envs · unrolls = 16"),
    ("mpo", dict(replay_capacity=64, warmup_steps=1025),
     "warmup_steps must be <= replay_capacity · unroll_length = 1024"),
    ("mpo", dict(target_update="soft"), "target_update must be one of periodic, polyak"),
    ("mpo", dict(polyak_tau=1.5), "polyak_tau must be a finite number > 0 and <= 1"),
    ("vmpo", dict(top_k_fraction=1.5), "top_k_fraction must be a finite number > 0 and <= 1"),
    # 64 envs × 32 steps in 4 minibatches: 512 samples, of which 0.001 keeps none
    ("vmpo", dict(top_k_fraction=0.001), "top_k_fraction must be >= 1/512"),
    ("npg", dict(max_kl=0.0), "max_kl must be a finite number > 0"),
    ("ppo_kl", dict(kl_rule="halving"), "kl_rule must be one of"),
])
def test_rules_of_each_algorithm(algo, changes, message):
  with pytest.raises(ValueError, match="^" + re.escape(f"{algo}: {message}")):
    preset(algo, "inverted_pendulum", **changes).validate()


@pytest.mark.parametrize("algo, changes", [
    # On-policy runs have no replay: MPO's rule must not refuse 4096 envs in 16 minibatches.
    ("ppo_clip", dict(num_envs=4096)),
    ("a2c", dict(num_envs=4096)),
    # Any env count: 100 sequences in 16 minibatches of 6, four sit out each pass.
    ("ppo_clip", dict(num_envs=100)),
    ("ppo_clip", dict(target_kl=math.inf, max_grad_norm=math.inf, value_clip_epsilon=math.inf)),
    ("trpo_vine", dict(vine_states=2048)),
    ("mpo", dict(replay_capacity=64, warmup_steps=1024)),
    ("mpo", dict(replay_capacity=8, warmup_steps=0)),
    ("vmpo", dict(top_k_fraction=0.25)),
    ("vmpo", dict(top_k_fraction=1.0)),
])
def test_accepted(algo, changes):
  settings = preset(algo, "inverted_pendulum", **changes)
  assert settings.validate() is settings
  assert {k: getattr(settings.parts[p], k) for p in settings.parts for k in changes
          if hasattr(settings.parts[p], k)} == changes


def test_on_policy_4096_envs_keeps_16_minibatches():
  settings = PPO.replace(num_envs=4096).validate()
  assert (settings.run.num_envs, settings.options.minibatches) == (4096, 16)


@pytest.mark.parametrize("algo", names_of_algorithms())
@pytest.mark.parametrize("env", ["inverted_pendulum", "inverted_double_pendulum", "reacher", "ant"])
def test_every_preset_validates(algo, env):
  assert preset(algo, env).validate().run.env == env
