"""The production cache keeps one redis-py client per connection pool instead of one per call."""

from mycity.lib.cache import ResilientRedisCache


def make(location="redis://127.0.0.1:1/0"):
    return ResilientRedisCache(location, {"OPTIONS": {"socket_connect_timeout": 0.1}})


def test_every_call_gets_the_same_client_on_the_same_pool():
    cache = make()._cache
    first = cache.get_client(write=True)

    assert cache.get_client() is first
    assert cache.get_client("a key", write=False) is first
    assert first.connection_pool is cache._get_connection_pool(write=True)


def test_each_cache_and_each_server_has_its_own_client():
    one, other = make()._cache, make()._cache
    assert one.get_client() is not other.get_client()

    replicated = make("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0")._cache
    writer, reader = replicated.get_client(write=True), replicated.get_client(write=False)
    assert writer is not reader
    assert reader.connection_pool.connection_kwargs["port"] == 2
