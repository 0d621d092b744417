"""Assessments: indicator frameworks as data, assessment cycles, answers with evidence, scores, benchmarks."""
