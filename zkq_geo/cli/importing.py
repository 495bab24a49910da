"""The ``inspect``, ``import``, ``join`` and ``layer`` commands of ``zkq-geo``: parsing and output only.

Registered by :mod:`zkq_geo.cli.main` (``add_import_parsers`` and ``IMPORT_COMMANDS``); its
``main`` turns every :class:`~zkq_geo.errors.ZkqGeoError` into one line on stderr with exit
code 1 (2 for bad option values).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from zkq_geo.cli.acting import open_acting
from zkq_geo.cli.output import OUTPUT_FORMATS, SHOW_COLUMNS, emit
from zkq_geo.errors import AccessError, SchemaError
from zkq_geo.i18n.messages import msg
from zkq_geo.office.access import VISIBILITIES

REPORT_FORMATS = ("table", "json")
_MATCH_HELP = "key: exact text of the keys; name: names and aliases, ignoring case and spaces"


def add_import_parsers(sub) -> None:
    """Add ``inspect``, ``import``, ``join`` and ``layer`` to the subparsers ``sub`` of ``zkq-geo``."""
    ins = sub.add_parser(
        "inspect",
        help="report what a GeoJSON/GeoPackage/zipped Shapefile/KML/CSV/Excel file "
        "holds, before importing it",
    )
    ins.add_argument("path")
    _add_read_options(ins)
    ins.add_argument("--format", choices=REPORT_FORMATS, default="table")
    imp = sub.add_parser("import", help="import a file as a layer of the workspace ($ZKQ_WORKSPACE)")
    imp.add_argument("path")
    imp.add_argument(
        "--as",
        dest="name",
        required=True,
        metavar="NAME",
        help="layer name: lower-case letters, digits, _ (an existing name gets a new version)",
    )
    imp.add_argument("--title", help="title shown in the app (default: the file name)")
    _add_read_options(imp)
    _add_share_options(imp)
    join = sub.add_parser(
        "join", help="join an Excel/CSV ledger to a layer by key or name, with a join report"
    )
    join.add_argument("layer", help="a shipped or imported layer")
    join.add_argument("table", help="the ledger: .xlsx or .csv")
    join.add_argument(
        "--key", required=True, help="the layer's key column (its name column with --match name)"
    )
    join.add_argument("--table-key", help="the ledger's key or name column (default: same as --key)")
    join.add_argument("--how", choices=("left", "inner"), default="left")
    join.add_argument("--match", choices=("key", "name"), default="key", help=_MATCH_HELP)
    join.add_argument("--aliases", default="aliases", help="the layer's alias column for --match name")
    join.add_argument("--sheet", help="Excel sheet (default: the first)")
    join.add_argument("--encoding", default="auto", help="CSV encoding: auto, utf-8, gbk, gb18030")
    join.add_argument("--land", metavar="COL", help="land-area column of the joined table")
    join.add_argument("--land-unit", choices=("mu", "m2", "ha"), default="mu")
    join.add_argument("--investment", metavar="COL", help="investment column (-> investment_yi, 投资强度)")
    per_mu_help = "other money column to divide by land area (repeatable), e.g. 税收"
    join.add_argument("--per-mu", action="append", default=[], metavar="COL", help=per_mu_help)
    join.add_argument("--money-unit", choices=("yuan", "wan", "yi"), default="wan")
    join.add_argument("--report-only", action="store_true", help="print the join report; join nothing")
    join.add_argument(
        "--as", dest="name", metavar="NAME", help="save the joined layer in the workspace as NAME"
    )
    join.add_argument("--format", choices=REPORT_FORMATS, default="table", help="format of the report")
    _add_share_options(join)
    _add_layer_parser(sub)


def _add_share_options(p) -> None:
    p.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default="private",
        help="once accounts exist, who sees a NEW layer: private (default: you and admins), "
        "team (with --team) or everyone; change it later with `layer share`",
    )
    p.add_argument("--team", help="the team of a layer shared with a team")


def _add_layer_parser(sub) -> None:
    layer = sub.add_parser(
        "layer", help="list, share, delete or undelete imported layers, or restore one of their versions"
    )
    actions = layer.add_subparsers(dest="action", required=True)
    listing = actions.add_parser(
        "list", help="the imported layers you may see: versions, owner, team and who sees them"
    )
    listing.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    delete = actions.add_parser(
        "delete", help="take NAME out of the workspace (its files move to the workspace's trash/ folder)"
    )
    delete.add_argument("name", metavar="NAME")
    restore = actions.add_parser(
        "restore",
        help="show an earlier version of NAME again, saved as a new version (every version is kept)",
    )
    restore.add_argument("name", metavar="NAME")
    restore.add_argument(
        "--version", type=int, metavar="N", help="version to restore (default: the one before the latest)"
    )
    share = actions.add_parser("share", help="change who sees NAME (its owner or an admin)")
    share.add_argument("name", metavar="NAME")
    share.add_argument("--visibility", required=True, choices=VISIBILITIES)
    share.add_argument("--team", help="the team that sees it (needed with --visibility team)")
    share.add_argument("--owner", metavar="USER", help="give the layer to another user (admins only)")
    trash = actions.add_parser("trash", help="list the deleted layers kept in the trash (admins)")
    trash.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    undelete = actions.add_parser(
        "undelete", help="put the deleted layer ID (see `layer trash`) back with all its versions (admins)"
    )
    undelete.add_argument("id", metavar="ID")


def _add_read_options(p) -> None:
    p.add_argument("--layer", help="layer of a GeoPackage/KML, shapefile of a zip, or sheet of an Excel file")
    p.add_argument(
        "--crs", default="auto", help="auto (default), EPSG:<code>, wgs84, gcj02 (AMap) or bd09 (Baidu)"
    )
    p.add_argument("--encoding", default="auto", help="auto (default), utf-8, gbk or gb18030")
    p.add_argument("--x", metavar="COL", help="CSV/Excel: easting or longitude column (give --y too)")
    p.add_argument("--y", metavar="COL", help="CSV/Excel: northing or latitude column")


def _read_options(args) -> dict:
    return dict(layer=args.layer, crs=args.crs, encoding=args.encoding, x=args.x, y=args.y)


def cmd_inspect(args) -> int:
    from zkq_geo.importing.reader import inspect_file

    report = inspect_file(args.path, **_read_options(args))
    _print_report(report.lines(), report.to_dict(), args.format)
    if report.problems:
        raise SchemaError(report.error_message())
    return 0


def cmd_import(args) -> int:
    from zkq_geo.workspace import check_layer_name, import_into_workspace

    check_layer_name(args.name)
    acting = open_acting(args)
    writer = acting.writer()
    workspace = acting.cleaned()
    if writer is None:
        saved, report = import_into_workspace(
            args.path, args.name, title=args.title, workspace=workspace, **_read_options(args)
        )
    else:
        saved, report = writer.import_file(
            args.path,
            args.name,
            visibility=args.visibility,
            team=args.team,
            title=args.title,
            **_read_options(args),
        )
    for line in report.lines():
        print(line)
    print(
        f"{saved.message}: {saved.path} ({report.feature_count} features; workspace {workspace.root})",
        file=sys.stderr,
    )
    return 0


def cmd_join(args) -> int:
    from zkq_geo.importing.ledger_join import UnitSpec, join_ledger, preview_join
    from zkq_geo.importing.sheets import read_sheet
    from zkq_geo.layers import load_layer
    from zkq_geo.workspace import check_layer_name, save_joined_layer

    acting = open_acting(args)
    writer = None
    if args.name:
        check_layer_name(args.name)
        writer = acting.writer()
        acting.cleaned()
    catalog = acting.catalog()
    gdf = load_layer(args.layer, catalog).gdf
    sheet = read_sheet(args.table, sheet=args.sheet, encoding=args.encoding)
    options = dict(
        key=args.key, table_key=args.table_key, how=args.how, match=args.match, aliases_col=args.aliases
    )
    if args.report_only:
        report = preview_join(gdf, sheet.frame, **options)
        _print_report(list(sheet.warnings) + report.lines(), report.to_dict(), args.format)
        return 0
    units = UnitSpec(
        land_col=args.land,
        land_unit=args.land_unit,
        investment_col=args.investment,
        per_mu_cols=tuple(args.per_mu),
        money_unit=args.money_unit,
    )
    joined, report = join_ledger(gdf, sheet.frame, units=units, **options)
    if args.name:
        _print_report(list(sheet.warnings) + report.lines(), report.to_dict(), args.format)
        title = f"{catalog.layer(args.layer).title_zh} + {Path(args.table).name}"
        if writer is None:
            saved = save_joined_layer(
                args.name,
                joined,
                report.to_dict(),
                title=title,
                table_path=args.table,
                workspace=acting.workspace,
            )
        else:
            saved = writer.save_join(
                args.name,
                joined,
                report.to_dict(),
                title=title,
                table_path=args.table,
                visibility=args.visibility,
                team=args.team,
            )
        print(f"{saved.message}: {saved.path} ({len(joined)} features)", file=sys.stderr)
    else:
        for line in list(sheet.warnings) + report.lines():
            print(line, file=sys.stderr)
        _print_joined(joined, args.format)
    return 0


def cmd_layer(args) -> int:
    """``layer list|share|delete|restore|trash|undelete``; a change says on stderr what was done."""
    from zkq_geo.workspace import check_layer_name

    acting = open_acting(args)
    if args.action == "list":
        emit(_layer_rows(acting), args.format)
        return 0
    if args.action in ("delete", "restore", "share"):
        check_layer_name(args.name)
    if args.action == "share" and not acting.accounts:
        raise AccessError(msg("cli_share_needs_accounts"))
    writer = acting.writer()
    target = writer if writer is not None else acting.cleaned()
    if args.action == "delete":
        print(target.delete_layer(args.name), file=sys.stderr)
    elif args.action == "restore":
        saved = target.restore_version(args.name, args.version)
        print(f"{saved.message}: {saved.path}", file=sys.stderr)
    elif args.action == "share":
        writer.share(args.name, args.visibility, team=args.team, owner=args.owner)
        access = acting.store.access(args.name)
        print(
            msg("cli_shared", layer=args.name, visibility=access.visibility, owner=access.owner or "-"),
            file=sys.stderr,
        )
    elif args.action == "trash":
        rows = [item._asdict() for item in target.trash()]
        emit(
            pd.DataFrame(rows, columns=["id", "name", "deleted_at", "versions"]),
            args.format,
            empty=msg("cli_trash_empty"),
        )
    else:
        print(target.undelete(args.id), file=sys.stderr)
    return 0


def _layer_rows(acting) -> pd.DataFrame:
    """The imported layers ``acting`` may see: name, title, versions, owner, team, visibility."""
    if acting.accounts:
        names, access = acting.viewer().visible_names(), acting.store.all_access()
    else:
        names, access = acting.workspace.names(), {}
    rows = []
    for name in names:
        versions = acting.workspace.versions(name)
        rule = access.get(name)
        rows.append(
            {
                "layer": name,
                "title": versions[-1].title if versions else "",
                "versions": len(versions),
                "latest": versions[-1].created if versions else "",
                "owner": (rule.owner if rule else None) or "",
                "team": (rule.team if rule else None) or "",
                "visibility": rule.visibility if rule else "everyone",
            }
        )
    columns = ["layer", "title", "versions", "latest", "owner", "team", "visibility"]
    return pd.DataFrame(rows, columns=columns)


def _print_report(lines: list[str], doc: dict, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        print("\n".join(lines))


def _print_joined(joined, fmt: str) -> None:
    per_mu = [c for c in joined.columns if str(c).endswith("_wan_per_mu")]
    cols = list(dict.fromkeys([c for c in SHOW_COLUMNS if c in joined.columns] + per_mu))
    if fmt == "json":
        cols = [c for c in joined.columns if c != joined.geometry.name]
    emit(pd.DataFrame(joined[cols]), fmt)


IMPORT_COMMANDS = {"inspect": cmd_inspect, "import": cmd_import, "join": cmd_join, "layer": cmd_layer}
