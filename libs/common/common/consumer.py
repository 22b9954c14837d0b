"""Stream consumers that lose nothing: a reader and a claimer per group, and dead letters.

FastStream leaves an entry pending when its handler fails and never redelivers it by itself;
only a subscriber with ``min_idle_time`` (XAUTOCLAIM) takes it back, and such a subscriber reads
nothing new. So every group gets both: the reader takes new entries in batches, the claimer
takes back, one at a time, entries whose delivery died or failed. Acknowledgement is explicit:
an entry is acknowledged once applied, or once moved to the input stream's dead-letter stream
(with the reason and its delivery count, in one MULTI with the acknowledgement) because it can
never succeed (malformed, forged, unknown) or has failed ``max_deliveries`` times.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from common.wire import dead_letter_stream, entry_fields

__all__ = ["Delivery", "EntryHandler", "PermanentFailure", "RefusedEntry", "StreamConsumer", "ensure_group"]

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The entry can never be processed; it goes to the dead-letter stream at once."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Delivery:
    """One delivery of a stream entry to a group."""

    stream: str
    group: str
    entry_id: str
    fields: dict[str, bytes]


class RefusedEntry(Protocol):
    delivery: Delivery
    code: str
    message: str


# Applies a batch (one transaction); returns the entries it refuses; raises if the batch failed.
EntryHandler = Callable[[Sequence[Delivery]], Awaitable[Sequence[RefusedEntry]]]


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create the group at the start of the stream, so no entry posted before it is skipped.

    FastStream would create it at ``$``; creating it first makes its own attempt a no-op.
    """
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


async def _keep_fields_raw(message: Mapping[str, Any], original: Callable[..., Awaitable[Any]]) -> Any:
    # The handler reads the entry's own fields: FastStream must not try to decode them (a
    # client may post anything), so it parses an empty entry and the fields are put back.
    raw = message  # FastStream keeps this very mapping as ``raw_message``
    fields = raw["data"]
    raw["data"] = {}  # type: ignore[index]
    try:
        return await original(raw)
    finally:
        raw["data"] = fields  # type: ignore[index]


class StreamConsumer:
    """Wires one handler to one stream for one group: reader, claimer, dead letters."""

    def __init__(
        self,
        *,
        redis: Redis,
        stream: str,
        group: str,
        consumer: str,
        handler: EntryHandler,
        max_deliveries: int,
        claim_idle_ms: int,
        read_batch: int,
        title: str,
        description: str,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.handler = handler
        self.max_deliveries = max_deliveries
        self.claim_idle_ms = claim_idle_ms
        self.read_batch = read_batch
        self.title = title
        self.description = description
        self.dead_letters = 0

    def attach(self, broker: RedisBroker) -> None:
        """Register the reader (batches of new entries) and the claimer (stale pending ones)."""
        reader = broker.subscriber(
            stream=StreamSub(
                self.stream,
                group=self.group,
                consumer=self.consumer,
                batch=True,
                max_records=self.read_batch,
                polling_interval=1000,
            ),
            parser=_keep_fields_raw,
            ack_policy=AckPolicy.MANUAL,  # each entry is acknowledged once applied or dead-lettered
            title=f"{self.title}",
            description=self.description,
        )
        claimer = broker.subscriber(
            stream=StreamSub(
                self.stream,
                group=self.group,
                consumer=self.consumer,
                min_idle_time=self.claim_idle_ms,
                polling_interval=max(200, min(self.claim_idle_ms // 2, 5000)),
            ),
            parser=_keep_fields_raw,
            ack_policy=AckPolicy.MANUAL,
            title=f"{self.title}:claimer",
            description=f"Takes back entries of {self.stream} left pending by a crashed or failed delivery.",
            include_in_schema=False,
        )
        reader(self._on_batch)
        claimer(self._on_entry)

    def _delivery(self, entry_id: bytes | str, fields: Mapping[Any, Any]) -> Delivery:
        return Delivery(
            stream=self.stream,
            group=self.group,
            entry_id=entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id),
            fields=entry_fields(fields),
        )

    async def _on_batch(self, msg: RedisBatchStreamMessage) -> None:
        raw = msg.raw_message
        await self.deliver_batch([self._delivery(i, f) for i, f in zip(raw["message_ids"], raw["data"], strict=True)])

    async def _on_entry(self, msg: RedisStreamMessage) -> None:
        raw = msg.raw_message
        await self.deliver(self._delivery(raw["message_ids"][0], raw["data"]))

    async def deliver_batch(self, deliveries: Sequence[Delivery]) -> None:
        """Apply a batch at once; if it fails, apply its entries one by one to isolate the failure."""
        if len(deliveries) == 1:
            await self.deliver(deliveries[0])
            return
        try:
            refused = await self.handler(deliveries)
        except Exception as error:
            log.warning(
                "%s/%s: a batch of %d failed (%r); applying one by one", self.stream, self.group, len(deliveries), error
            )
            for delivery in deliveries:
                await self.deliver(delivery)
            return
        await self._settle(deliveries, refused)

    async def deliver(self, delivery: Delivery) -> None:
        """Apply one entry; dead-letter it when it cannot or can no longer succeed."""
        try:
            refused = await self.handler([delivery])
        except Exception as error:
            count = await self.delivery_count(delivery.entry_id)
            if count < self.max_deliveries:
                log.warning(
                    "%s/%s entry %s failed (delivery %d of %d); it stays pending: %r",
                    self.stream,
                    self.group,
                    delivery.entry_id,
                    count,
                    self.max_deliveries,
                    error,
                )
                return
            await self.dead_letter(
                delivery, "too-many-deliveries", f"failed {count} times; last error: {error!r}"[:2000], count
            )
            return
        await self._settle([delivery], refused)

    async def _settle(self, deliveries: Sequence[Delivery], refused: Sequence[RefusedEntry]) -> None:
        dead = {r.delivery.entry_id for r in refused}
        for refusal in refused:
            count = await self.delivery_count(refusal.delivery.entry_id)
            await self.dead_letter(refusal.delivery, refusal.code, refusal.message, count)
        done = [d.entry_id for d in deliveries if d.entry_id not in dead]
        if done:
            await self.redis.xack(self.stream, self.group, *done)

    async def delivery_count(self, entry_id: str) -> int:
        entries = await self.redis.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        return int(entries[0]["times_delivered"]) if entries else 1

    async def dead_letter(self, delivery: Delivery, code: str, message: str, count: int) -> None:
        """Move the entry to the dead-letter stream and acknowledge it, atomically."""
        fields: dict[Any, Any] = {
            "reason_code": code,
            "reason": message,
            "stream": delivery.stream,
            "group": delivery.group,
            "entry_id": delivery.entry_id,
            "delivery_count": str(count),
            "dead_at": datetime.now(UTC).isoformat(),
        }
        for name, value in delivery.fields.items():
            fields[f"original.{name}"] = value
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(dead_letter_stream(delivery.stream), fields)
            pipe.xack(delivery.stream, delivery.group, delivery.entry_id)
            await pipe.execute()
        self.dead_letters += 1
        log.error(
            "%s/%s entry %s dead-lettered after %d deliveries: %s: %s",
            delivery.stream,
            delivery.group,
            delivery.entry_id,
            count,
            code,
            message,
        )
