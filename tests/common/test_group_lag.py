"""How far behind each consumer group is, as the operator pages show it, on a real Redis.

After a Redis failover the promoted master's read counter of a group is wrong for good (Redis 7.0
does not replicate it): XINFO GROUPS then reports a lag for a group that has read everything.
``XGROUP SETID … ENTRIESREAD`` leaves a group in exactly that state here.
"""

from __future__ import annotations

from redis.asyncio import Redis

from common.web.operator import group_lag, unread

STREAM = "test.lag"


async def _stream_of(redis: Redis, entries: int) -> list[bytes | str]:
    await redis.xgroup_create(STREAM, "caught-up", id="0", mkstream=True)
    await redis.xgroup_create(STREAM, "behind", id="0")
    return [await redis.xadd(STREAM, {"n": str(n)}) for n in range(entries)]


async def test_a_group_that_read_everything_is_not_behind_whatever_its_counter_says(redis_client: Redis) -> None:
    ids = await _stream_of(redis_client, 10)
    await redis_client.xreadgroup("caught-up", "c", {STREAM: ">"}, count=10)
    # The counter a promoted replica is left with: one read of ten.
    await redis_client.execute_command("XGROUP", "SETID", STREAM, "caught-up", ids[-1], "ENTRIESREAD", 1)
    await redis_client.xreadgroup("behind", "c", {STREAM: ">"}, count=4)

    raw = {g["name"].decode(): g for g in await redis_client.xinfo_groups(STREAM)}
    assert raw["caught-up"]["lag"] == 9  # what Redis says

    lags = {lag.group: lag for lag in await group_lag(redis_client, [STREAM, "test.never-written"])}
    assert set(lags) == {"caught-up", "behind"}  # a stream nothing was written to has no groups to show
    assert (lags["caught-up"].lag, lags["caught-up"].pending, lags["caught-up"].length) == (0, 10, 10)
    assert (lags["behind"].lag, lags["behind"].pending) == (6, 4)


async def test_a_group_behind_shows_what_redis_estimates_or_nothing_when_it_cannot_tell(redis_client: Redis) -> None:
    ids = await _stream_of(redis_client, 5)
    await redis_client.xreadgroup("behind", "c", {STREAM: ">"}, count=2)
    await redis_client.xdel(STREAM, ids[3])  # a hole ahead of the group: Redis can no longer count
    groups = {g["name"].decode(): g for g in await redis_client.xinfo_groups(STREAM)}
    last = (await redis_client.xinfo_stream(STREAM))["last-generated-id"]

    assert unread(groups["behind"], last) is None
    assert unread(groups["behind"], ids[1]) == 0  # the stream's last entry is the group's last read
    assert unread({"last-delivered-id": b"1700000000000-5", "lag": 3}, "1700000000000-12") == 3
    assert unread({"last-delivered-id": b"1700000000001-0", "lag": 3}, "1700000000000-12") == 0
