"""Machine suggestions: the matcher, annotate-all and recommenders (no Qt).

What they propose reaches the store through one module, core/store/suggestions.py.
"""
