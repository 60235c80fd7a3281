"""The law as data and the rules that read it: standards (lines, thresholds,
review rounds), the survey schema, the indicator rules, household groups.
"""
