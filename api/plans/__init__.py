"""``/v1/plans``: capacity-plan jobs for policymakers (issue 15)."""
