# One image for every service: `ct ingest`, `ct sla-monitor`, `ct aggregator`.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv
COPY constraints.txt pyproject.toml ./
COPY schemas schemas
COPY broker broker
COPY services services
COPY cli cli
RUN pip install --no-cache-dir -c constraints.txt ./schemas ./broker ./services/ingest \
        ./services/sla_monitor ./services/aggregator . \
    && useradd --system --uid 10001 ct && mkdir -p /srv/var && chown ct /srv/var
USER ct
ENTRYPOINT ["ct"]
