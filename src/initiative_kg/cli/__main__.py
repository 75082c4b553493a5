"""``python -m initiative_kg.cli``: the same as the ``ikg`` command."""

from initiative_kg.cli import main

main()
