"""pgkit.replay."""
