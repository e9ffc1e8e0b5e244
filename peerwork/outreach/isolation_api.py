"""Isolation makers of the outreach module's api routes (see isolation.py)."""
