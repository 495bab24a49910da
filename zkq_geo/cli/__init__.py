"""The ``zkq-geo`` command: :mod:`.main` (parser, error to exit code, the layer commands),
:mod:`.importing` (inspect, import, join, layer), :mod:`.evaluation` (evaluate, schemes,
control), :mod:`.users` (accounts and teams), :mod:`.audit` (the audit trail) and
:mod:`.acting` (the ``--as`` user: what the command shows and may change). Thin: parsing and
output only; the work is the library's.

May import: anything in zkq_geo; nothing imports it.
"""
