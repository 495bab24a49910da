"""What a KML file holds, counted without GDAL: placemarks and ExtendedData field names.

GDAL's KML reader (the one zkq-geo allows: LIBKML follows network links) keeps a placemark's
name, description and geometry only: it leaves out ``ExtendedData`` (``Data``/``SimpleData``)
and placemarks whose geometry it does not read (none, ``gx:Track``, ``Model``). The importer
compares this census with what was read and says what was left out, so nothing is lost
silently. The XML is read one element at a time (Python's expat: no external entities, and
entity expansion is bounded).

>>> import io
>>> census(io.BytesIO(b'<kml><Placemark><ExtendedData><Data name="use"><value>a</value></Data>'
...                   b'</ExtendedData></Placemark></kml>'))
KmlCensus(placemarks=1, fields=('use',))
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree

MAX_FIELDS = 50


@dataclass(frozen=True)
class KmlCensus:
    placemarks: int
    fields: tuple[str, ...]


def census(source) -> KmlCensus:
    """Count the placemarks of a KML document (a path or a binary file) and name its
    ExtendedData fields (``Data name=`` / ``SimpleData name=``, at most :data:`MAX_FIELDS`)."""
    placemarks, fields = 0, {}
    for _, element in ElementTree.iterparse(source, events=("end",)):
        tag = element.tag.rpartition("}")[2]
        if tag == "Placemark":
            placemarks += 1
            element.clear()
        elif tag in ("Data", "SimpleData") and len(fields) < MAX_FIELDS:
            fields.setdefault(str(element.get("name", "")), None)
    return KmlCensus(placemarks, tuple(f for f in fields if f))
