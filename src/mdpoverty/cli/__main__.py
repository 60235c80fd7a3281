"""``python -m mdpoverty.cli``: the command line."""

from mdpoverty.cli.main import main

main()
