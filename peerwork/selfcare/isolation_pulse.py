"""Another organisation's pulse records for the organisation isolation test
(peerwork.core.isolation; nothing here runs in production).

None needed: the pulse's pages (``selfcare:pulse``, ``selfcare:pulse_teams``) and API
operations (``/pulse-answers``, ``/pulse-receipts/this-week``, ``/pulse-teams``) take no
path parameter. The acting membership's organisation decides everything they read or
write, so the isolation test's walk of routes without parameters (every role, and Taras
of the other organisation) and its canary scan cover them. No answer or receipt has an id
that ever leaves the server.
"""
