"""The ``zkq-geo`` command: argument parsing and error-to-exit-code only.

Exit codes: 0 success, 2 usage errors (bad option values included), 1 data errors.
Errors are one line on stderr, never a traceback (set ZKQ_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

import pandas as pd

from zkq_geo.cli.acting import add_user_option, open_acting
from zkq_geo.cli.audit import AUDIT_COMMANDS, add_audit_parser
from zkq_geo.cli.evaluation import EVALUATE_COMMANDS, add_evaluate_parsers
from zkq_geo.cli.importing import IMPORT_COMMANDS, add_import_parsers
from zkq_geo.cli.output import EFFICIENCY_COLUMNS, OUTPUT_FORMATS, SHOW_COLUMNS, emit, one_line
from zkq_geo.cli.users import USERS_COMMANDS, add_users_parsers
from zkq_geo.cli.workspace_cmd import WORKSPACE_COMMANDS, add_workspace_parsers
from zkq_geo.errors import DataSourceError, OptionError, ZkqGeoError

TRUST_NOTE = """\
accounts (the shared office):
  The command trusts the shell account it runs under: whoever can run it on the server can
  read the workspace and the office database anyway, so it asks for no password. --as USER
  (or $ZKQ_USER) names the account it acts as: once accounts exist, only the layers USER may
  see are shown, USER's role decides what may be changed, and the audit trail records USER.
  Without --as, only shipped layers and layers shared with everyone are shown and nothing may
  be changed. While no account exists, every command works as on a single-user install;
  `zkq-geo users add NAME --role admin` makes the first admin.
  --as goes before the command: zkq-geo --as zhang.wei import parcels.zip --as dikuai
"""


class UsageError(Exception):
    """Raised instead of argparse's exit, so every usage error is one line and exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D102 - argparse hook
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zkq-geo",
        description="Zhengzhou ETDZ layers: show, filter, measure, export.",
        epilog=TRUST_NOTE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_user_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("layers", help="list the layers of the catalogue")
    filters = _Parser(add_help=False)
    _add_filter_args(filters)
    show = sub.add_parser("show", parents=[filters], help="print a layer's features")
    show.add_argument("layer")
    show.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    exp = sub.add_parser("export", parents=[filters], help="write the selected features to a file")
    exp.add_argument("layer")
    exp.add_argument("--format", required=True, choices=("geojson", "gpkg", "shp", "csv", "xlsx"))
    exp.add_argument(
        "--crs",
        choices=("wgs84", "gcj02"),
        default="wgs84",
        help="wgs84 (default; RFC 7946 for GeoJSON) or gcj02 for AMap tools (geojson, csv)",
    )
    exp.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="xlsx only: en (default; headers are the field names) or zh (Chinese headers with units, "
        "codes as words, a 字段说明 sheet); other formats keep the English field names",
    )
    exp.add_argument("-o", "--output", required=True, help="file to write")
    eff = sub.add_parser("efficiency", parents=[filters], help="per-mu land efficiency (亩均)")
    eff.add_argument("layer")
    eff.add_argument(
        "--by", choices=("industry", "plate"), help="summarise by group instead of ranking features"
    )
    eff.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    sub.add_parser("validate", help="check the shipped geodata against the seeds and geometry rules")
    mp = sub.add_parser("map", parents=[filters], help="write the layers as ONE offline HTML map")
    mp.add_argument("layer", nargs="+", help="layers to draw, in order (filters apply to parks and projects)")
    mp.add_argument(
        "--basemap",
        choices=("none", "osm", "tianditu", "amap"),
        default="none",
        help="none (default: fetches nothing), osm, tianditu (key from ZKQ_TIANDITU_KEY) or amap (GCJ-02)",
    )
    mp.add_argument("--lang", choices=("zh", "en"), default="zh")
    mp.add_argument(
        "--color-by",
        choices=("industry", "intensity"),
        default="industry",
        help="fill of parks and project circles: industry colour or 亩均投资 class",
    )
    mp.add_argument("-o", "--output", required=True, help="HTML file to write")
    bench = sub.add_parser("bench", help="time the app's map path against naive folium + st_folium")
    bench.add_argument("--parcels", type=int, default=10_000, help="number of parcels (default 10000)")
    bench.add_argument("--reruns", type=int, default=5, help="timed Streamlit reruns per path (default 5)")
    bench.add_argument("--out", metavar="DIR", help="keep the two Streamlit scripts in DIR")
    bench.add_argument(
        "--big",
        action="store_true",
        help="big layers instead: vector tiles vs inline GeoJSON in the app and headless Chromium, "
        "10,000 and 100,000 parcels (minutes)",
    )
    bench.add_argument("--million", action="store_true", help="with --big: also 1,000,000 parcels")
    bench.add_argument(
        "--sessions",
        type=int,
        nargs="+",
        metavar="N",
        help="the shared office instead: N users signed in at once in headless Chromium, each with a "
        "private layer (e.g. --sessions 1 5 20): time to first map, server RSS, who saw what (minutes)",
    )
    add_import_parsers(sub)  # inspect, import, join, layer: planners' own files (zkq_geo/cli/importing.py)
    add_evaluate_parsers(sub)  # evaluate, schemes, control: 亩均评价 (zkq_geo/cli/evaluation.py)
    add_workspace_parsers(sub)  # workspace migrate: to PostgreSQL + PostGIS (zkq_geo/cli/workspace_cmd.py)
    add_users_parsers(sub)  # users: accounts and teams of the shared office (zkq_geo/cli/users.py)
    add_audit_parser(sub)  # audit: the office's audit trail (zkq_geo/cli/audit.py)
    return parser


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--industry",
        action="append",
        default=[],
        metavar="TEXT",
        help="industry code or label (repeatable; any of them matches)",
    )
    p.add_argument("--plate", metavar="ID_OR_NAME", help="plate id, name or former name (e.g. 起步区)")
    p.add_argument("--min-investment", type=float, metavar="YI", help="minimum investment, 亿元")
    p.add_argument("--max-investment", type=float, metavar="YI", help="maximum investment, 亿元")
    p.add_argument("--search", metavar="TEXT", help="substring of id, name or alias")


def main(argv: Sequence[str] | None = None) -> int:
    with _visible_controls():
        return _run(argv)


# Control characters a file may carry in names and values (ESC sequences can rewrite a terminal):
# shown as \xNN on stderr, and on stdout when it is a terminal; piped output keeps every byte.
_CONTROLS = {
    c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
}


class _Visible:
    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.translate(_CONTROLS))

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def _visible_controls():
    out, err = sys.stdout, sys.stderr
    sys.stderr = _Visible(err)
    if out.isatty():
        sys.stdout = _Visible(out)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(one_line(exc), file=sys.stderr)
        return 2
    except OptionError as exc:
        print(f"zkq-geo: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except ZkqGeoError as exc:
        print(f"zkq-geo: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: still one line, no traceback
        if os.environ.get("ZKQ_DEBUG"):
            raise
        print(f"zkq-geo: internal error: {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        return 1


# ----------------------------------------------------------------------------- commands
def cmd_layers(args) -> int:
    from zkq_geo.layers import load_catalog_layers

    # an imported layer that cannot be read is listed as broken; hidden ones are not listed at all
    loaded, catalog = load_catalog_layers(open_acting(args).catalog())
    rows = []
    for name, spec in catalog.layers.items():
        gdf = loaded[name].gdf
        quality = ",".join(sorted(set(gdf["geometry_quality"]))) if "geometry_quality" in gdf else ""
        rows.append(
            {
                "layer": name,
                "title_zh": spec.title_zh,
                "title_en": spec.title_en,
                "features": len(gdf),
                "geometry": spec.geometry_type,
                "geometry_quality": quality,
            }
        )
    emit(pd.DataFrame(rows), "table")
    if problem := catalog.extra.get("workspace_problem"):  # the shipped layers are listed anyway
        print(f"zkq-geo: warning: imported layers not listed: {one_line(problem)}", file=sys.stderr)
    for message in catalog.broken.values():  # one line each; the other layers are listed above
        print(f"zkq-geo: warning: {one_line(message)}", file=sys.stderr)
    return 0


def cmd_show(args) -> int:
    gdf = _selected(args)
    cols = [c for c in SHOW_COLUMNS if c in gdf.columns] if args.format == "table" else _plain_columns(gdf)
    emit(pd.DataFrame(gdf[cols]), args.format)
    return 0


def cmd_export(args) -> int:
    from zkq_geo.export import write_export

    catalog = open_acting(args).catalog()
    gdf = _selected(args, catalog)
    path = write_export(
        gdf,
        args.format,
        args.output,
        datum=args.crs,
        layer_name=args.layer,
        lang=args.lang,
        catalog=catalog,
    )
    print(f"wrote {len(gdf)} {args.layer} features to {path} ({args.format}, {args.crs})", file=sys.stderr)
    if args.crs == "gcj02" and "gcj02" not in path.name.lower():  # the app names such files *_gcj02.*
        print(
            f"zkq-geo: note: {path.name} holds GCJ-02 (AMap) coordinates; put 'gcj02' in the name so "
            f"nobody reads it as WGS84",
            file=sys.stderr,
        )
    return 0


def cmd_efficiency(args) -> int:
    from zkq_geo.analysis import metrics

    gdf = _selected(args)
    if args.layer == "zone" and args.by:
        raise OptionError(f"--by {args.by} groups parks and projects; the zone is one feature, drop --by")
    if args.layer == "zone":
        table = metrics.zone_per_mu(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    elif "invest_intensity_wan_per_mu" not in gdf.columns:
        raise OptionError(f"per-mu figures exist for parks, projects and zone, not for {args.layer}")
    elif args.by:
        table = metrics.summarize_efficiency(pd.DataFrame(gdf), by=args.by)
    else:
        ranked = metrics.rank_by_intensity(pd.DataFrame(gdf))
        table = ranked[[c for c in EFFICIENCY_COLUMNS if c in ranked.columns]]
    if args.layer != "zone" and (left_out := metrics.impossible_figures(pd.DataFrame(gdf))):
        print(f"zkq-geo: warning: {one_line(left_out)}", file=sys.stderr)
    emit(table, args.format)
    return 0


def cmd_validate(args) -> int:
    from zkq_geo.validate import validate_geodata

    checks = validate_geodata()
    for c in checks:
        print(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    if failed:
        print(
            f"zkq-geo: error: {len(failed)} of {len(checks)} geodata checks failed: "
            f"{'; '.join(c.name for c in failed)}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def cmd_map(args) -> int:
    from zkq_geo.render.builder import build_map, map_to_standalone_html

    acting = open_acting(args)
    catalog = acting.catalog()
    layers = _map_layers(args, catalog)
    tiled = _embedded_tiles(layers, catalog, acting.workspace) if args.basemap != "amap" else {}
    m = build_map(
        layers,
        catalog=catalog,
        lang=args.lang,
        basemap=args.basemap,
        color_by=args.color_by,
        tianditu_key=os.environ.get("ZKQ_TIANDITU_KEY"),
        tiled=tiled,
    )
    html = map_to_standalone_html(m)
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(html)
    except OSError as exc:
        raise DataSourceError(f"cannot write {args.output}: {exc.strerror}") from exc
    for name, source in tiled.items():
        print(
            f"note: {name} is drawn from {len(source.embedded)} embedded tiles up to zoom {source.max_zoom} "
            "(deeper views enlarge them; small dense features are left out when zoomed out)",
            file=sys.stderr,
        )
    counts = ", ".join(f"{len(g)} {name}" for name, g in layers.items())
    print(
        f"wrote {args.output} ({counts}; basemap {args.basemap}, {len(html.encode('utf-8')):,} bytes)",
        file=sys.stderr,
    )
    return 0


def cmd_bench(args) -> int:
    if args.million and not args.big:
        print("zkq-geo bench: --million goes with --big", file=sys.stderr)
        return 2
    if args.sessions:
        if args.big or any(n < 1 or n > 100 for n in args.sessions):
            print("zkq-geo bench: --sessions takes counts from 1 to 100, without --big", file=sys.stderr)
            return 2
        from zkq_geo.bench_sessions import format_sessions, run_sessions_bench

        echo = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        print(format_sessions(run_sessions_bench(tuple(args.sessions), echo=echo)))
        return 0
    if args.big:
        from zkq_geo.bench_big import format_big, run_big_bench

        counts = (10_000, 100_000) + ((1_000_000,) if args.million else ())
        print(format_big(run_big_bench(counts, echo=lambda line: print(line, file=sys.stderr, flush=True))))
        return 0
    from zkq_geo.bench import run_from_args

    return run_from_args(args)


COMMANDS = {
    "layers": cmd_layers,
    "show": cmd_show,
    "export": cmd_export,
    "efficiency": cmd_efficiency,
    "validate": cmd_validate,
    "map": cmd_map,
    "bench": cmd_bench,
    **IMPORT_COMMANDS,
    **EVALUATE_COMMANDS,
    **WORKSPACE_COMMANDS,
    **USERS_COMMANDS,
    **AUDIT_COMMANDS,
}


# ----------------------------------------------------------------------------- helpers
def _selection(args):
    """The filters of ``show``, ``efficiency``, ``export`` and ``map`` as a Selection."""
    from zkq_geo.analysis.selection import Selection

    return Selection(
        industries=tuple(args.industry),
        plate=args.plate,
        min_investment_yi=args.min_investment,
        max_investment_yi=args.max_investment,
        search=args.search,
    )


def _selected(args, catalog=None):
    """The layer of ``args`` (as the ``--as`` user may see it), filtered."""
    from zkq_geo.analysis.selection import apply_selection
    from zkq_geo.layers import load_layer

    catalog = catalog or open_acting(args).catalog()
    gdf = load_layer(args.layer, catalog).gdf
    sel = _selection(args)
    if sel.is_empty:
        return gdf
    plates = load_layer("plates", catalog).gdf if sel.plate else None
    return apply_selection(gdf, sel, catalog, plates)


def _map_layers(args, catalog) -> dict:
    """The layers to draw; the filters apply to parks and projects only."""
    from zkq_geo.analysis.selection import apply_selection
    from zkq_geo.layers import load_layer

    sel = _selection(args)
    plates = load_layer("plates", catalog).gdf if sel.plate else None
    layers = {}
    for name in dict.fromkeys(args.layer):
        gdf = load_layer(name, catalog).gdf
        filterable = name in ("parks", "projects") or catalog.layer(name).origin == "workspace"
        filtered = filterable and not sel.is_empty
        layers[name] = apply_selection(gdf, sel, catalog, plates) if filtered else gdf
    return layers


def _embedded_tiles(layers: dict, catalog, workspace) -> dict:
    """Imported layers above the tile threshold, as tiles inside the one HTML file: the tile set
    of the shown version (built when missing) up to the zoom that fits
    :data:`zkq_geo.render.tiles.STANDALONE_TILE_BYTES`, the selection as row bits."""
    from zkq_geo.layers import load_layer
    from zkq_geo.render.builder import tile_source_for
    from zkq_geo.render.tiles import embedded_tiles, ensure_tiles, needs_tiles

    out = {}
    for name, chosen in layers.items():
        if catalog.layer(name).origin != "workspace":
            continue
        full = load_layer(name, catalog).gdf
        if not needs_tiles(full):
            continue
        folder = workspace.tiles_dir(workspace.latest(name))
        ensure_tiles(full, folder)
        tiles, deepest = embedded_tiles(folder)
        out[name] = tile_source_for("zkq-tile:{z}/{x}/{y}", full, chosen, embedded=tiles, max_zoom=deepest)
    return out


def _plain_columns(gdf) -> list[str]:
    return [c for c in gdf.columns if c != gdf.geometry.name]
