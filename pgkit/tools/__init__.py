"""What a researcher does with runs: ``pgkit eval``, ``render``, ``plot`` and ``list``.

Each module holds one command: ``add_arguments(parser)`` declares its flags and
``command(args)`` runs it (``pgkit.cli`` wires them)."""
