"""mdpoverty: classify Vietnamese households under the multidimensional poverty standard.

The library API a notebook user imports::

    import mdpoverty
    result = mdpoverty.classify("survey.xlsx")      # Result: .households, .issues, .counts
    print(result.choice.text("en"))                 # which standard, and why (its review round)
    issues = mdpoverty.validate("survey.xlsx")      # the issue table alone
    std = mdpoverty.load_standard("vn-2022-2025")   # a standard, or a path to your own TOML
    forms = mdpoverty.report("district/", previous="last-year/")  # {"1": Form 1 frame, ...}
    af = mdpoverty.measures("survey.xlsx", by=["commune"])  # Alkire–Foster H, A, M0, ...
    why = mdpoverty.explain(result, "LC-BT-01-0005")  # one household's reasons (a dict)
"""

from .af.measures import MeasuresResult, measures
from .core import Result, classify, classify_frames, classify_survey, validate
from .errors import CHECKS, InputFileError, MdpovertyError, StandardError
from .explain import explain
from .law.rounds import StandardChoice
from .law.standards import Standard, load_standard, standard_for
from .read.survey import read_survey
from .reports.batch import change_list, report
from .reports.targets import TargetsResult, load_targets, targets

__version__ = "0.1.0"

__all__ = [
    "CHECKS",
    "InputFileError",
    "MdpovertyError",
    "MeasuresResult",
    "Result",
    "Standard",
    "StandardChoice",
    "StandardError",
    "TargetsResult",
    "__version__",
    "change_list",
    "classify",
    "classify_frames",
    "classify_survey",
    "explain",
    "load_standard",
    "load_targets",
    "measures",
    "read_survey",
    "report",
    "standard_for",
    "targets",
    "validate",
]
