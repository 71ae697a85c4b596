# One build, one image per service (build targets): `ingest`, `sla-monitor`, `aggregator`,
# and `tools` (the plain `ct` command, e.g. the compose file's topic-creating init step).
# Each target runs `ct <service>` as an unprivileged user and has its own HEALTHCHECK
# (`ct healthcheck <service>`, see docs/operations.md).
#
#   docker build --target ingest -t contact-telemetry/ingest .
#
# The base image is pinned to an exact release. To pin it byte for byte, look its digest up
# (`docker buildx imagetools inspect python:3.11.14-slim-bookworm`) and build with
#   --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: every package into a virtualenv, versions from the lock file -----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/ct
WORKDIR /src
# constraints.txt is the lock file: every third-party package at its exact pinned version.
COPY constraints.txt pyproject.toml ./
COPY schemas schemas
COPY broker broker
COPY services services
COPY cli cli
RUN /opt/ct/bin/pip install -c constraints.txt \
        ./schemas ./broker ./services/ingest ./services/sla_monitor ./services/aggregator .

# --- runtime: the virtualenv only, no build tools, no sources ----------------------------
FROM ${PYTHON_IMAGE} AS tools
ENV PATH=/opt/ct/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --home-dir /srv --shell /usr/sbin/nologin ct \
    && mkdir -p /srv/var \
    && chown ct /srv/var
COPY --from=build /opt/ct /opt/ct
WORKDIR /srv
USER 10001
ENTRYPOINT ["ct"]
CMD ["--help"]

FROM tools AS ingest
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["ct", "healthcheck", "ingest"]
CMD ["ingest"]

# faust's web server is off: the health check asks the broker whether this worker is a
# member of its (stable) consumer group.
FROM tools AS sla-monitor
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["ct", "healthcheck", "sla-monitor"]
CMD ["sla-monitor"]

FROM tools AS aggregator
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["ct", "healthcheck", "aggregator"]
CMD ["aggregator"]
