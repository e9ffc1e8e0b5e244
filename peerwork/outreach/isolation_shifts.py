"""Isolation makers of the outreach module's shifts routes (see isolation.py)."""
