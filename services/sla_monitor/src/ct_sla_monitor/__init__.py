"""The stream processor: contact lifecycle (stage 1) and scope figures (stage 2).

``core/`` decides every number and imports no framework; the faust agents in
:mod:`ct_sla_monitor.agents` only decode, call the core and encode.
"""
