"""The ``ct`` command line: runs the pipeline and its tools."""
