"""Make a parsed GeoJSON document safe and lossless to hand to GDAL.

GDAL's GeoJSON reader fetches a ``crs`` member that links to a URL (at the top, in a feature or
in a geometry), turns an integer feature ``id`` into a row number nobody sees, drops
``properties`` that are not an object, and cuts strings at a NUL character. :func:`prepare`
returns a copy without any of that: the top-level ``crs`` is applied by zkq-geo when it names
an EPSG code or OGC CRS84 (anything else is ignored and said), every other ``crs`` member is
removed, feature ids become an ``id`` property (``feature_id`` when the properties already hold a
different ``id``), odd ``properties`` are kept as text, NULs are removed and counted. Each change
is a warning or a note, so nothing is lost silently.

>>> doc = {"type": "Feature", "id": 7, "properties": {"n": "a\\x00b"},
...        "geometry": {"type": "Point", "coordinates": [1, 2], "crs": {"type": "link"}}}
>>> clean, crs, said = prepare(doc)
>>> clean["properties"], "crs" in clean["geometry"], crs
({'n': 'ab', 'id': 7}, False, None)
"""

from __future__ import annotations

import contextlib
import json
import re

from pyproj import CRS

from zkq_geo.i18n.messages import msg

_CRS_NAME = re.compile(r"(?:urn:ogc:def:crs:)?(?:EPSG:(?:[\d.]*:)?(\d+)|OGC:(?:[\d.]*:)?(CRS84))", re.I)


def prepare(doc: dict) -> tuple[dict, CRS | None, list[str]]:
    """(clean copy, declared CRS or None, warnings) of a parsed GeoJSON object (see module doc)."""
    doc = json.loads(json.dumps(doc))  # a deep copy: the input is never changed
    declared, said = _declared_crs(doc.pop("crs", None))
    removed = _strip_nested_crs(doc)
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    features = [f for f in features if isinstance(f, dict)] if isinstance(features, list) else []
    said += _fix_properties(features) + _move_ids(features)
    nuls = _remove_nuls(features)
    if removed:
        said.append(msg("geojson_nested_crs_removed", n=removed))
    if nuls:
        said.append(msg("geojson_nul_removed", n=nuls))
    return doc, declared, said


def dumps(doc: dict) -> str:
    """The clean document as ASCII JSON (lone surrogates become escapes GDAL reports, not a crash)."""
    return json.dumps(doc, ensure_ascii=True)


def _declared_crs(member) -> tuple[CRS | None, list[str]]:
    if member is None:
        return None, []
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name") if isinstance(props, dict) and member.get("type") == "name" else None
    match = _CRS_NAME.fullmatch(name.strip()) if isinstance(name, str) else None
    if match:
        with contextlib.suppress(Exception):  # an EPSG number PROJ does not know: ignored below
            return CRS.from_user_input(f"EPSG:{match.group(1)}" if match.group(1) else "OGC:CRS84"), []
    shown = " ".join(json.dumps(member, ensure_ascii=False).split())[:120]
    return None, [msg("geojson_crs_ignored", crs=shown)]


def _strip_nested_crs(doc: dict) -> int:
    """Remove ``crs`` keys from every object below the top (iteratively: documents can be deep)."""
    removed, stack = 0, [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node is not doc and "crs" in node:
                del node["crs"]
                removed += 1
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return removed


def _move_ids(features: list[dict]) -> list[str]:
    """Feature ids become the ``id`` property (or ``feature_id`` when ``id`` holds another value)."""
    apart = 0
    for feature in features:
        if "id" not in feature or not isinstance(feature.get("properties") or {}, dict):
            continue
        props = feature["properties"] = feature.get("properties") or {}
        value = feature.pop("id")
        if "id" not in props:
            props["id"] = value
        elif props["id"] != value:
            props["feature_id"], apart = value, apart + 1
    return [msg("geojson_ids_apart", n=apart)] if apart else []


def _fix_properties(features: list[dict]) -> list[str]:
    odd = 0
    for feature in features:
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            feature["properties"] = {"properties_text": json.dumps(props, ensure_ascii=False)}
            odd += 1
    return [msg("geojson_properties_kept", n=odd)] if odd else []


def _remove_nuls(features: list[dict]) -> int:
    count = 0
    for feature in features:
        props = feature.get("properties")
        if not isinstance(props, dict):
            continue
        for key, value in list(props.items()):
            if isinstance(value, str) and "\x00" in value:
                props[key] = value.replace("\x00", "")
                count += 1
    return count
