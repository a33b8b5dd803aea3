"""Detectors: pure functions from a post to findings."""
