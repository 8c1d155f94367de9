"""Adapters from each env family to ``pgkit.envs.protocol.Environment``."""
