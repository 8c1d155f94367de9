"""The error every bad input raises: a setting, a flag, a file or a folder pgkit cannot use.

``InputError`` is a ``ValueError``, so ``except ValueError`` keeps working; the CLI prints its
message on one line (``pgkit: error: …``) and exits with code 2, before anything compiles.
"""


class InputError(ValueError):
  """Bad input: the message names the parameter (and algorithm), the value and what is allowed."""
