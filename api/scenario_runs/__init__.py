"""``/v1/scenario-runs``: scenario changes run against their base, and stored runs compared
(issue 15)."""
