"""``python -m sandbox.france_travail``: run the emulator standalone (see ``cli``)."""

from sandbox.france_travail.cli import main

main()
