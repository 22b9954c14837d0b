"""Stream consumers that lose nothing: a reader and a claimer per group, dead letters, and outages.

FastStream leaves an entry pending when its handler fails and never redelivers it by itself;
only a subscriber with ``min_idle_time`` (XAUTOCLAIM) takes it back, and such a subscriber reads
nothing new. So every group gets both: the reader takes new entries in batches, the claimer
takes back, one at a time, entries whose delivery died or failed. Acknowledgement is explicit:
an entry is acknowledged once applied, or once moved to the input stream's dead-letter stream
(with the reason and its delivery count, in one MULTI with the acknowledgement) because it can
never succeed (``Unprocessable``) or has failed ``max_deliveries`` times.

An outage of the service's own database or Redis is not a failure of the entries in hand: the
consumer keeps them, waits (``Backoff``) and applies them again, and reads nothing new meanwhile.
Their delivery count is not spent: the consumer claims them again for itself now and then
(XCLAIM … JUSTID, which leaves the count alone), so that no claimer takes them over as idle.

A Redis that lost its data (restored from an old file, or empty) has lost the groups too; FastStream
stops a subscriber whose group is gone. ``revive`` creates the group again at the start of the
stream and restarts the subscribers: entries already applied come again and the inbox drops them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from common.errors import Unprocessable
from common.logs import entry_context
from common.outages import DATABASE, REDIS, Backoff, Outages
from common.wire import ORIGINAL, dead_letter_stream, entry_fields

__all__ = ["Delivery", "EntryHandler", "Refusal", "StreamConsumer", "ensure_group"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Delivery:
    """One delivery of a stream entry to a group."""

    stream: str
    group: str
    entry_id: str
    fields: dict[str, bytes]


@dataclass(frozen=True)
class Refusal:
    """An entry that will never be applied, and why; it goes to the dead-letter stream."""

    delivery: Delivery
    error: Unprocessable


# Applies a batch (one transaction); returns the entries it refuses; raises if the batch failed.
EntryHandler = Callable[[Sequence[Delivery]], Awaitable[Sequence[Refusal]]]


KEPT_BYTES = 64 * 1024  # a dead letter keeps the entry whole up to this size…
PREFIX_BYTES = 1024  # …and of a larger one its digest, its size, its field names and a prefix


def kept_fields(original: Mapping[str, bytes]) -> dict[str, bytes | str]:
    """What a dead letter keeps of the entry: ``original.<field>`` each, or a digest when too large.

    A dead letter of an oversized entry cannot be sent back (it has no ``original.`` fields), and
    costs Redis about 2 KiB however large the entry was.
    """
    size = sum(len(name) + len(value) for name, value in original.items())
    if size <= KEPT_BYTES:
        return {f"{ORIGINAL}{name}": value for name, value in original.items()}
    digest = hashlib.sha256()
    for name, value in original.items():
        digest.update(name.encode() + b"\0" + value + b"\0")
    first = next(iter(original.values()), b"")
    return {
        "oversized.bytes": str(size),
        "oversized.fields": str(len(original)),
        "oversized.names": ",".join(original)[:PREFIX_BYTES],
        "oversized.sha256": digest.hexdigest(),
        "oversized.prefix": first[:PREFIX_BYTES],
    }


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
    """Wires one handler to one stream for one group: reader, claimer, dead letters, outages."""

    def __init__(
        self,
        *,
        redis: Redis,
        stream: str,
        group: str,
        consumer: str,
        handler: EntryHandler,
        outages: Outages,
        max_deliveries: int,
        claim_idle_ms: int,
        read_batch: int,
        title: str,
        description: str,
        backoff: Backoff | None = None,
        dead_letter_maxlen: int = 100_000,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.handler = handler
        self.outages = outages
        self.max_deliveries = max_deliveries
        self.claim_idle_ms = claim_idle_ms
        self.read_batch = read_batch
        self.title = title
        self.description = description
        # Held entries are claimed again well before a claimer could see them idle.
        self._keep_every = claim_idle_ms / 4000
        self.backoff = backoff or Backoff(most=min(5.0, self._keep_every))
        self.dead_letters = 0
        self.dead_letter_maxlen = dead_letter_maxlen
        self._subscribers: list[Any] = []

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
            title=self.title,
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
        self._subscribers = [reader, claimer]

    async def revive(self) -> bool:
        """Start again the subscribers FastStream stopped because the group was gone; whether any was."""
        stopped = [subscriber for subscriber in self._subscribers if not subscriber.running]
        if not stopped:
            return False
        await ensure_group(self.redis, self.stream, self.group)
        for subscriber in stopped:
            await subscriber.start()
        log.warning(
            "the group %s of %s was gone (Redis lost its data?): created again at the start of the stream, "
            "whose entries already applied are dropped by the inbox",
            self.group,
            self.stream,
        )
        return True

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
            refused = await self._through_outages(deliveries, DATABASE, lambda: self.handler(deliveries))
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
            refused = await self._through_outages([delivery], DATABASE, lambda: self.handler([delivery]))
        except Exception as error:
            count = await self._through_outages([delivery], REDIS, lambda: self.delivery_count(delivery.entry_id))
            if count < self.max_deliveries:
                log.warning(
                    "%s/%s entry %s failed (delivery %d of %d); it stays pending: %r",
                    self.stream,
                    self.group,
                    delivery.entry_id,
                    count,
                    self.max_deliveries,
                    error,
                    extra=entry_context(delivery.stream, delivery.group, delivery.entry_id, delivery.fields),
                )
                return
            failure = Unprocessable("too-many-deliveries", f"failed {count} times; last error: {error!r}"[:2000])
            await self._settle([delivery], [Refusal(delivery, failure)])
            return
        await self._settle([delivery], refused)

    async def _through_outages(
        self, held: Sequence[Delivery], component: str, attempt: Callable[[], Awaitable[T]]
    ) -> T:
        """``attempt()``; while it fails for an outage, wait and try again, holding on to ``held``."""
        delays = self.backoff.delays()
        kept = time.monotonic()
        waited = False
        while True:
            try:
                result = await attempt()
            except Exception as error:
                if not self.outages.noted(error):
                    raise
                waited = True
                if time.monotonic() - kept >= self._keep_every:
                    await self._keep(held)
                    kept = time.monotonic()
                await asyncio.sleep(next(delays))
                continue
            if waited:
                # The work that failed in the outage went through: the component is back. A first
                # try proves nothing: it may have written nothing (entries refused, or applied
                # before), and a full disk still answers reads and commits empty transactions.
                self.outages.reached(component)
            return result

    async def _keep(self, held: Sequence[Delivery]) -> None:
        """Claim the held entries again for this consumer: their idle time restarts, their count stays."""
        with contextlib.suppress(Exception):  # Redis may be the one away; a claimer may then take them
            await self.redis.xclaim(self.stream, self.group, self.consumer, 0, [d.entry_id for d in held], justid=True)

    async def _settle(self, deliveries: Sequence[Delivery], refused: Sequence[Refusal]) -> None:
        async def settle() -> None:
            dead = {r.delivery.entry_id for r in refused}
            for refusal in refused:
                pending = await self.redis.xpending_range(
                    self.stream, self.group, min=refusal.delivery.entry_id, max=refusal.delivery.entry_id, count=1
                )
                if pending:  # not yet moved by an earlier try of this settlement
                    await self.dead_letter(refusal, int(pending[0]["times_delivered"]))
            done = [d.entry_id for d in deliveries if d.entry_id not in dead]
            if done:
                await self.redis.xack(self.stream, self.group, *done)

        await self._through_outages(deliveries, REDIS, settle)

    async def delivery_count(self, entry_id: str) -> int:
        entries = await self.redis.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        return int(entries[0]["times_delivered"]) if entries else 1

    async def dead_letter(self, refusal: Refusal, count: int) -> None:
        """Move the entry to the dead-letter stream and acknowledge it, atomically."""
        delivery, error = refusal.delivery, refusal.error
        fields: dict[Any, Any] = {
            "reason_code": error.code,
            "reason": error.message,
            "stream": delivery.stream,
            "group": delivery.group,
            "entry_id": delivery.entry_id,
            "delivery_count": str(count),
            "dead_at": datetime.now(UTC).isoformat(),
        }
        fields.update(kept_fields(delivery.fields))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(dead_letter_stream(delivery.stream), fields, maxlen=self.dead_letter_maxlen, approximate=True)
            pipe.xack(delivery.stream, delivery.group, delivery.entry_id)
            await pipe.execute()
        self.dead_letters += 1
        log.error(
            "%s/%s entry %s dead-lettered after %d deliveries: %s: %s",
            delivery.stream,
            delivery.group,
            delivery.entry_id,
            count,
            error.code,
            error.message,
            extra=entry_context(delivery.stream, delivery.group, delivery.entry_id, delivery.fields),
        )
