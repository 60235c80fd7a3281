"""Report frames built from classify results: official forms, changes, Alkire–Foster measures.

Pure frames in, frames out; writers in ``mdpoverty.write.excel`` and the CLI only present them.
"""
