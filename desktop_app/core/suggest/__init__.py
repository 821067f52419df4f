"""Machine suggestions: the matcher, annotate-all, recommenders; what they propose reaches the store through one module."""
