"""pgkit.algorithms."""
