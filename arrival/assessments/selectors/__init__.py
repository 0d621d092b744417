"""Reads of assessments: records (frameworks, assessments, answers, history) and analysis (scores over
time, gaps, peer benchmarks, framework views, dashboards) and validation (named validators, who is told, "My
work"). Import from here, not from the modules."""

from arrival.assessments.selectors.analysis import *  # noqa: F403
from arrival.assessments.selectors.history import *  # noqa: F403
from arrival.assessments.selectors.outcomes import *  # noqa: F403
from arrival.assessments.selectors.records import *  # noqa: F403
from arrival.assessments.selectors.validation import *  # noqa: F403
