"""pgkit.envs."""
