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


def test_recomputed_once_serves_the_stale_copy_while_another_request_recomputes(
    monkeypatch,
):
    from django.core.cache import cache

    from mycity.lib import cache as module

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    clock = [1000.0]
    monkeypatch.setattr(module.time, "time", lambda: clock[0])
    cache.clear()
    assert module.recomputed_once("k", 60, compute) == 1
    assert module.recomputed_once("k", 60, compute) == 1  # fresh: cached
    clock[0] += 61
    cache.add("k:lock", 1, 60)  # another request is recomputing
    assert module.recomputed_once("k", 60, compute) == 1  # the stale copy meanwhile
    cache.delete("k:lock")
    assert module.recomputed_once("k", 60, compute) == 2  # due, and this one recomputes
    assert calls == [1, 1]
