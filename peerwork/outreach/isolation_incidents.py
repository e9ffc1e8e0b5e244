"""Isolation makers of the outreach module's incidents routes (see isolation.py)."""
