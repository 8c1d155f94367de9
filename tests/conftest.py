"""Shared test settings: Brax's deprecation notice is filtered in pyproject.toml."""
import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true")
