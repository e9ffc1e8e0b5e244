"""Joseph's missed volunteer shifts and his review meeting with Ravi (DEMO.md; App. 7)."""
