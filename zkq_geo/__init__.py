"""zkq_geo: the library behind the zkq-geo viewer of the Zhengzhou ETDZ.

Pure functions over GeoDataFrames, plus thin I/O (``io``) and rendering (``render``) layers.
Importing this package never imports streamlit. It does switch GDAL and PROJ network access
off and leaves GDAL only the drivers zkq-geo needs, for the whole process
(:mod:`zkq_geo.safety.gdal_env`): files from users are never allowed to make the server fetch a URL.
"""

from __future__ import annotations

from zkq_geo.safety import gdal_env as _gdal_env

_gdal_env.harden()

__version__ = "0.1.0"
