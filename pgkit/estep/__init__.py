"""pgkit.estep."""
