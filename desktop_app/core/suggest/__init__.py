"""Suggestions: find terms in article texts (no Qt)."""
