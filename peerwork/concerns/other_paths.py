"""The other Section 4 paths (§4.3–§4.7 and mediation between colleagues): their stages
and the rules each adds before ``paths.record_step``. Filled in below."""
