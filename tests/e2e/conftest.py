"""The whole pipeline as real processes: broker, ingest, sla_monitor, aggregator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.running_pipeline import Pipeline, running_pipeline

__all__ = ["Pipeline", "pipeline"]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with running_pipeline(tmp_path_factory.mktemp("pipeline")) as running:
        yield running
