"""pgkit: composable policy-gradient RL in JAX."""
