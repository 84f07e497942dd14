"""Rule finders: pure regex and lookup functions from a string to ``Entity`` records."""
