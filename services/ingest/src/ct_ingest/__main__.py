"""``python -m ct_ingest``: serve with the settings from the environment."""

from ct_ingest.server import serve

if __name__ == "__main__":
    serve()
