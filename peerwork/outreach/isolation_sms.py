"""Isolation makers of the outreach module's sms routes (see isolation.py)."""
