"""``/v1/organisations``: the managed list of organisations that may hold cases (issue 14)."""
