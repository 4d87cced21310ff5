"""``python -m tokencalc`` runs the command line."""

from tokencalc.cli.app import main

main()
