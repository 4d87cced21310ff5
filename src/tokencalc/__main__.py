"""``python -m tokencalc`` runs the command line."""

from tokencalc.cli.entry import main

main()
