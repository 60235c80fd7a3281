"""The ``mdpoverty`` command line: Click commands that parse options, call the
library, render and exit (``mdpoverty.cli.main:main``).
"""
