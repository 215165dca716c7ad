"""Checking articles: one check, the run loop that schedules them, re-extraction."""
