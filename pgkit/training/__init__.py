"""pgkit.training."""
