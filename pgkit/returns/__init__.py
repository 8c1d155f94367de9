"""pgkit.returns."""
