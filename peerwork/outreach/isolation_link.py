"""Isolation makers of the outreach module's link routes (see isolation.py)."""
