"""pgkit: composable policy-gradient reinforcement learning in JAX, trained on Brax.

Flat re-exports of the public API, loaded on first use (PEP 562), so that ``import pgkit``
and the CLI's ``--help`` do not import Brax; the sub-packages hold one idea each.
"""
import importlib

__version__ = "0.1.0"

_SUBPACKAGES = ("algorithms", "duals", "envs", "estep", "losses", "networks", "precondition",
                "replay", "returns", "settings", "training")
_EXPORTS = {
    "algorithm": "settings", "Algorithm": "settings", "HParams": "settings",
    "Options": "settings", "RunSettings": "settings", "Settings": "settings",
    "field": "settings", "get": "settings", "preset": "settings", "load": "settings",
    "InputError": "settings", "NonFiniteError": "training", "Stopped": "training",
    "OnPolicy": "algorithms", "OffPolicy": "algorithms", "OnPolicyOptions": "algorithms",
    "OnPolicyHParams": "algorithms", "OffPolicyOptions": "algorithms",
    "OffPolicyHParams": "algorithms", "MinibatchOptions": "algorithms",
    "Trainer": "training", "RunResult": "training", "make_trainer": "training",
    "run": "training", "compiled": "training",
}
__all__ = sorted(_SUBPACKAGES + tuple(_EXPORTS))


def __getattr__(name):
  if name in _SUBPACKAGES:
    return importlib.import_module(f"pgkit.{name}")
  if name in _EXPORTS:
    return getattr(importlib.import_module(f"pgkit.{_EXPORTS[name]}"), name)
  raise AttributeError(f"module 'pgkit' has no attribute {name!r}")
