"""What the preconditioners share beyond ``optax.tree_utils``: their required extra args."""
from __future__ import annotations


def require_extra(name: str, transform: str, value):
  """Raises a ValueError when a transform's required keyword extra argument is missing."""
  if value is None:
    raise ValueError(f"{transform} needs the keyword extra argument {name!r} "
                     f"(pass it to optimizer.update(..., {name}=...))")
  return value
