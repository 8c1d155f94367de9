"""Environment names of every family pgkit trains on, written out so that ``--help`` and
validation need not import Brax, gymnax or MuJoCo Playground (tests/settings check each table
against the package's own registry).

A name selects its family: ``ant`` (Brax), ``gymnax/CartPole-v1``, ``playground/CartpoleBalance``.
"""
from __future__ import annotations

import importlib.util
from typing import NamedTuple

# Brax's environment registry (``brax.envs._envs``); every one has continuous actions.
BRAX_ENVS = ("ant", "fast", "halfcheetah", "hopper", "humanoid", "humanoidstandup",
             "inverted_double_pendulum", "inverted_pendulum", "pusher", "reacher", "swimmer",
             "walker2d")


class GymnaxEnv(NamedTuple):
  discrete: bool
  episode_length: int  # gymnax's own time limit (``default_params.max_steps_in_episode``)


# gymnax's registered envs whose observations are arrays and that need nothing downloaded
# (MNISTBandit fetches MNIST; the bandits and FrozenLake have no array observation).
GYMNAX_ENVS = {
    "CartPole-v1": GymnaxEnv(True, 500), "Acrobot-v1": GymnaxEnv(True, 500),
    "MountainCar-v0": GymnaxEnv(True, 200), "Pendulum-v1": GymnaxEnv(False, 200),
    "MountainCarContinuous-v0": GymnaxEnv(False, 999),
    "Asterix-MinAtar": GymnaxEnv(True, 1000), "Breakout-MinAtar": GymnaxEnv(True, 1000),
    "Freeway-MinAtar": GymnaxEnv(True, 2500), "Seaquest-MinAtar": GymnaxEnv(True, 1000),
    "SpaceInvaders-MinAtar": GymnaxEnv(True, 1000), "Catch-bsuite": GymnaxEnv(True, 1000),
    "DeepSea-bsuite": GymnaxEnv(True, 8), "UmbrellaChain-bsuite": GymnaxEnv(True, 100),
    "DiscountingChain-bsuite": GymnaxEnv(True, 100), "MemoryChain-bsuite": GymnaxEnv(True, 1000),
    "FourRooms-misc": GymnaxEnv(True, 500), "MetaMaze-misc": GymnaxEnv(True, 200),
    "PointRobot-misc": GymnaxEnv(False, 100), "Reacher-misc": GymnaxEnv(False, 100),
    "Swimmer-misc": GymnaxEnv(False, 500), "Pong-misc": GymnaxEnv(True, 1000),
}

# MuJoCo Playground's DM Control Suite tasks: their models ship inside the package.
PLAYGROUND_SUITE = (
    "AcrobotSwingup", "AcrobotSwingupSparse", "BallInCup", "CartpoleBalance",
    "CartpoleBalanceSparse", "CartpoleSwingup", "CartpoleSwingupSparse", "CheetahRun",
    "FingerSpin", "FingerTurnEasy", "FingerTurnHard", "FishSwim", "HopperHop", "HopperStand",
    "HumanoidStand", "HumanoidWalk", "HumanoidRun", "PendulumSwingup", "PointMass",
    "ReacherEasy", "ReacherHard", "SwimmerSwimmer6", "WalkerRun", "WalkerStand", "WalkerWalk")
# Its locomotion and manipulation tasks: their robot models (mujoco_menagerie) are fetched at
# run time, so they load only where that download works or was done before.
PLAYGROUND_DOWNLOADED = (
    "ApolloJoystickFlatTerrain", "BarkourJoystick", "BerkeleyHumanoidJoystickFlatTerrain",
    "BerkeleyHumanoidJoystickRoughTerrain", "G1JoystickFlatTerrain", "G1JoystickRoughTerrain",
    "Go1JoystickFlatTerrain", "Go1JoystickRoughTerrain", "Go1Getup", "Go1Handstand",
    "Go1Footstand", "H1InplaceGaitTracking", "H1JoystickGaitTracking", "Op3Joystick",
    "SpotFlatTerrainJoystick", "SpotGetup", "SpotJoystickGaitTracking", "T1JoystickFlatTerrain",
    "T1JoystickRoughTerrain", "AlohaHandOver", "AlohaSinglePegInsertion", "PandaPickCube",
    "PandaPickCubeOrientation", "PandaPickCubeCartesian", "PandaOpenCabinet",
    "PandaRobotiqPushCube", "LeapCubeReorient", "LeapCubeRotateZAxis", "AeroCubeRotateZAxis")


class Family(NamedTuple):
  prefix: str  # "" for Brax
  module: str  # the package that must be importable
  extra: str  # pip install -e ".[extra]"


FAMILIES = {"brax": Family("", "brax", ""),
            "gymnax": Family("gymnax/", "gymnax", "gymnax"),
            "playground": Family("playground/", "mujoco_playground", "playground")}


def split(name: str) -> tuple[str, str]:
  """``(family, task)`` of an env name; the family is ``"brax"`` when there is no prefix."""
  family, sep, task = name.partition("/")
  return (family, task) if sep else ("brax", name)


def names(family: str) -> tuple[str, ...]:
  prefix = FAMILIES[family].prefix
  tasks = {"brax": BRAX_ENVS, "gymnax": tuple(GYMNAX_ENVS),
           "playground": PLAYGROUND_SUITE + PLAYGROUND_DOWNLOADED}[family]
  return tuple(prefix + t for t in tasks)


def all_names() -> tuple[str, ...]:
  return sum((names(f) for f in FAMILIES), ())


def problem(name: str) -> str | None:
  """What is wrong with an env name (None when it is known)."""
  family, task = split(name)
  if family not in FAMILIES:
    return (f"a Brax env ({', '.join(BRAX_ENVS)}) or FAMILY/TASK with FAMILY one of "
            f"{', '.join(f for f in FAMILIES if f != 'brax')}")
  if name not in names(family):
    return f"one of {', '.join(names(family))}"
  return None


def discrete(name: str) -> bool:
  """Whether the (known) env has discrete actions."""
  family, task = split(name)
  return family == "gymnax" and GYMNAX_ENVS[task].discrete


def missing_extra(name: str) -> str | None:
  """An error message when the package of ``name``'s family is not installed (else None)."""
  fam = FAMILIES[split(name)[0]]
  if not fam.extra or importlib.util.find_spec(fam.module) is not None:
    return None
  return (f"env {name!r} needs the {fam.extra!r} extra, which is not installed: "
          f"pip install -e \".[{fam.extra}]\" (or pip install 'pgkit[{fam.extra}]')")


ABOUT = {"brax": "Brax (built in)",
         "gymnax": 'gymnax, discrete and classic control (pip install -e ".[gymnax]")',
         "playground": 'MuJoCo Playground (pip install -e ".[playground]")'}


def listing() -> list[str]:
  """One line per family: what it is, how to install it, its env names."""
  return [f"  {about}: {', '.join(names(family))}" for family, about in ABOUT.items()]
