"""How far behind each consumer group is, as the operator pages show it, on a real Redis.

After a Redis failover the promoted master's read counter of a group is wrong for good (Redis 7.0
does not replicate it): XINFO GROUPS then reports a lag for a group that has read everything.
``XGROUP SETID … ENTRIESREAD`` leaves a group in exactly that state here.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from common.web.operator import group_lag, unread

STREAM = "test.lag"


async def _stream_of(redis: Redis, entries: int) -> list[bytes | str]:
    await redis.xgroup_create(STREAM, "first", id="0", mkstream=True)
    await redis.xgroup_create(STREAM, "second", id="0")
    return [await redis.xadd(STREAM, {"n": str(n)}) for n in range(entries)]


async def _groups(redis: Redis) -> dict[str, Any]:
    return {g["name"].decode(): g for g in await redis.xinfo_groups(STREAM)}


async def test_a_group_that_read_everything_is_not_behind_whatever_its_counter_says(redis_client: Redis) -> None:
    ids = await _stream_of(redis_client, 10)
    await redis_client.xreadgroup("first", "c", {STREAM: ">"}, count=10)
    # The counter a promoted replica is left with: one read of ten.
    await redis_client.execute_command("XGROUP", "SETID", STREAM, "first", ids[-1], "ENTRIESREAD", 1)
    await redis_client.xreadgroup("second", "c", {STREAM: ">"}, count=4)
    assert (await _groups(redis_client))["first"]["lag"] == 9  # what Redis says

    lags = {lag.group: lag for lag in await group_lag(redis_client, [STREAM, "test.never-written"])}
    assert set(lags) == {"first", "second"}  # a stream nothing was written to has no groups to show
    assert (lags["first"].lag, lags["first"].pending, lags["first"].length) == (0, 10, 10)
    assert (lags["second"].lag, lags["second"].pending) == (6, 4)


async def test_a_group_behind_after_a_failover_is_never_shown_more_behind_than_the_stream_is_long(
    redis_client: Redis,
) -> None:
    ids = await _stream_of(redis_client, 10)
    await redis_client.xreadgroup("first", "c", {STREAM: ">"}, count=7)
    # A counter that missed every read (the failover), on a stream trimmed to its last five.
    await redis_client.execute_command("XGROUP", "SETID", STREAM, "first", ids[6], "ENTRIESREAD", 0)
    await redis_client.xtrim(STREAM, maxlen=5, approximate=False)
    assert (await _groups(redis_client))["first"]["lag"] == 10  # what Redis says; 3 are still to come
    [first] = [lag for lag in await group_lag(redis_client, [STREAM]) if lag.group == "first"]
    assert first.lag == 5


async def test_holes_and_empty_streams(redis_client: Redis) -> None:
    ids = await _stream_of(redis_client, 5)
    await redis_client.xreadgroup("first", "c", {STREAM: ">"}, count=2)
    await redis_client.xdel(STREAM, ids[3])  # a hole ahead of the group: Redis can no longer count
    assert unread((await _groups(redis_client))["first"], await redis_client.xinfo_stream(STREAM)) is None

    await redis_client.xreadgroup("second", "c", {STREAM: ">"}, count=10)
    await redis_client.xdel(STREAM, ids[4])  # the last entry gone: the group has still read all there is
    assert unread((await _groups(redis_client))["second"], await redis_client.xinfo_stream(STREAM)) == 0

    await redis_client.xtrim(STREAM, maxlen=0, approximate=False)  # nothing left to give, whatever was read
    assert {lag.group: lag.lag for lag in await group_lag(redis_client, [STREAM])} == {"first": 0, "second": 0}
