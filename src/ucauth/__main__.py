"""``python -m ucauth`` runs the command line."""

from ucauth.cli import main

main()
