"""The ``zkq-geo`` command: :mod:`.main` (parser, error to exit code, the layer commands),
:mod:`.importing` (inspect, import, join, layer) and :mod:`.evaluation` (evaluate, schemes,
control). Thin: parsing and output only; the work is the library's.

May import: anything in zkq_geo; nothing imports it.
"""
