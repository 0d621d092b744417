"""Tests of the assessments app."""
