"""``python -m heritage_ld``: the same as the ``heritage-ld`` command."""

from heritage_ld.cli import main

main()
