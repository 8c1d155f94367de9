"""pgkit.precondition."""
