"""The groups part of the demo story (issue 7; shared/DEMO.md)."""
