"""Alkire–Foster measures: the method, its inputs and weights, the tables,
design-based standard errors, and a dataset's measures from per-partition totals.
"""
