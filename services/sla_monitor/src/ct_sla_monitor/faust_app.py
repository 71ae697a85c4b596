# mypy: disable-error-code="misc"
"""The faust App the monitor (and the benchmarks' faust baselines) run on: faust's own,
with partition ends that hold on the embedded broker.

faust reads the end of each changelog partition (its "highwater") before it restores a
table, restores up to it, then checks that state it already holds is not ahead of it.
Tansu answers ListOffsets(latest) with the last batch's base offset plus one, short of
the end when that batch holds several records (ct_broker.offsets). So a table would be
restored without the last records of a changelog, and a worker given back a partition it
held before (a second worker joining, then leaving) found its state "ahead" of the
changelog and crashed with ConsistencyError. Here the ends are read the way
ct_broker.offsets reads them, with a group-less consumer of their own: the larger of the
listed offset and the high watermark a fetch reports. On Apache Kafka both agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

from ct_broker.offsets import end_offsets


async def true_ends(bootstrap_servers: list[str], partitions: list[TP]) -> dict[TP, int]:
    """The end offset of each of ``partitions``, read with a consumer of its own."""
    probe = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    await probe.start()
    try:
        tps = [TopicPartition(tp.topic, tp.partition) for tp in partitions]
        ends = await end_offsets(probe, tps)
    finally:
        await probe.stop()
    return {TP(tp.topic, tp.partition): end for tp, end in ends.items()}


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        listed: Mapping[TP, int] = await super()._highwaters(partitions)
        if not partitions or self.consumer.in_transaction:
            return listed
        transport = self.transport
        assert isinstance(transport, faust_aiokafka.Transport)
        servers = faust_aiokafka.server_list(transport.url, transport.default_port)
        ends = await true_ends(servers, list(partitions))
        return {tp: max(listed.get(tp, 0), ends.get(tp, 0)) for tp in partitions}


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class App(faust.App):
    """faust.App whose consumer reads partition ends with :func:`true_ends`."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
