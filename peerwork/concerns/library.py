"""The training library (§3.15, App. 10): the guide's nine case studies in our own words."""
