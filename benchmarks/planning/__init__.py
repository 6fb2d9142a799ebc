"""Capacity planning against brute force on the national demo round (issue 15)."""
