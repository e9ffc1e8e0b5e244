from django.core.cache import cache
from django.db import connection


def test_the_cache_is_kept_in_the_database_so_every_process_shares_it(db):
    cache.set("peerwork-test-key", "shared", 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM peerwork_cache")
        (rows,) = cursor.fetchone()
    assert rows >= 1
    assert cache.get("peerwork-test-key") == "shared"
