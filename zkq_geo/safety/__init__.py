"""Guards around untrusted input and the process itself.

:mod:`.gdal_env` (GDAL drivers allow-list, no network; applied when zkq_geo is imported),
:mod:`.sniff` (a file's bytes must be what its suffix says), :mod:`.safe_input` (size limits,
safe zip extraction, safe names), :mod:`.sandbox` (reads in a bounded, offline worker process).

May import: the core (errors, limits) and i18n.
"""
