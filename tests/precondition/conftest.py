"""Fixtures for the preconditioner tests."""
from tests.precondition.problems import problem  # noqa: F401  (a pytest fixture)
