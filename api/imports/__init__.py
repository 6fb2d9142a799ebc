"""``/v1/imports``: a region's table of facilities, cases or placements (admins)."""
