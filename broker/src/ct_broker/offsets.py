"""End offsets that hold on every broker we run on.

Tansu (the embedded broker) answers ListOffsets(latest) with the last batch's base offset
plus one, short of the end when that batch holds several records. The high watermark a
fetch reports is right on Tansu and on Apache Kafka, so the end of a partition is the
larger of the two.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

#: fetches tried before settling for the listed offsets
_PROBES = 10


async def end_offsets(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """The end offset of each of ``partitions``, read with a started, group-less
    ``consumer`` that is (re)assigned to them; seek where you want to read afterwards."""
    listed: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, max(0, listed[tp] - 1))
    for _ in range(_PROBES):
        await consumer.getmany(*partitions, timeout_ms=300)
        if all(consumer.highwater(tp) is not None for tp in partitions):
            break
    return {tp: max(listed[tp], consumer.highwater(tp) or 0) for tp in partitions}
