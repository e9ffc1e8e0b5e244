"""Makers of Riverside's investigations records for the organisation isolation walk
(``peerwork.core.isolation.register_isolation_maker``). Parameter names are unique to
this area."""
