"""The database-free core of assessments: framework files, scoring and its uncertainty.

Nothing here imports Django; dataclasses and NumPy arrays go in, dataclasses and arrays come out.
"""
