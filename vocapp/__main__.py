"""``python -m vocapp`` runs the command line."""
from vocapp.cli import main

main()
