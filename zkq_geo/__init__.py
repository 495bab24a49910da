"""zkq_geo: the library behind the zkq-geo viewer of the Zhengzhou ETDZ.

Pure functions over GeoDataFrames, plus thin I/O (``io``) and rendering (``render``) layers.
Importing this package never imports streamlit.
"""
from __future__ import annotations

__version__ = "0.1.0"
