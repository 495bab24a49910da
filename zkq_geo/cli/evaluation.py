"""The ``evaluate``, ``schemes`` and ``control`` commands of ``zkq-geo`` (亩均评价): parsing and output only.

Registered by :mod:`zkq_geo.cli.main` (``add_evaluate_parsers`` and ``EVALUATE_COMMANDS``), whose
``main`` turns errors into one line on stderr: exit 2 for usage and bad option values
(:class:`~zkq_geo.errors.OptionError`), 1 for data errors.

::

    zkq-geo evaluate LEDGER --scheme PRESET_OR_PATH [--group-by group|park|plate|industry]
                     [--format table|csv|json|xlsx|html] [-o PATH] [--lang zh|en]
    zkq-geo schemes [--format table|json]
    zkq-geo control LEDGER_OR_LAYER [--city-class C] [--invest-min WAN_PER_MU]
                    [--format table|csv|json] [-o PATH]

Without ``--format``, the suffix of ``-o`` chooses it (.xlsx, .html, .csv, .json), else table.
``--lang`` is the language of the xlsx/html report (zh by default); table, CSV and JSON keep the
English field names and notes (the data contract).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from zkq_geo.cli.output import emit, write_bytes
from zkq_geo.errors import OptionError, ZkqGeoError
from zkq_geo.i18n.format import label

EVALUATE_FORMATS = ("table", "csv", "json", "xlsx", "html")
TABLE_FORMATS = ("table", "csv", "json")
GROUP_BY = ("group", "park", "plate", "industry")
BINARY_FORMATS = ("xlsx", "html")
REPORT_LANGS = ("zh", "en")
_SUFFIX_FORMATS = {".xlsx": "xlsx", ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json"}


def add_evaluate_parsers(sub) -> None:
    """Add ``evaluate``, ``schemes`` and ``control`` to the subparsers ``sub`` of ``zkq-geo``."""
    ev = sub.add_parser(
        "evaluate", help="per-mu evaluation (亩均评价) of an enterprise ledger under a scheme"
    )
    ev.add_argument("ledger", help="the ledger: .csv (UTF-8) or .xlsx; see the template in the app")
    ev.add_argument(
        "--scheme",
        required=True,
        metavar="PRESET_OR_PATH",
        help="a preset id (zkq-geo schemes lists them) or a scheme .yaml file",
    )
    ev.add_argument(
        "--group-by",
        choices=GROUP_BY,
        help="print counts, land and per-mu figures by class for each group/park/plate/industry "
        "instead of one row per enterprise (xlsx/html: adds that summary)",
    )
    ev.add_argument(
        "--format",
        choices=EVALUATE_FORMATS,
        help="table (default), csv, json, xlsx (needs -o) or html (printable report, needs -o)",
    )
    ev.add_argument(
        "-o", "--output", metavar="PATH", help="file to write (default: stdout for table/csv/json)"
    )
    ev.add_argument(
        "--lang",
        choices=REPORT_LANGS,
        default="zh",
        help="xlsx/html only: zh (default) or en, the language of the report's headers, words and "
        "notes; table/csv/json keep the English field names",
    )
    _add_ledger_options(ev)
    ev.add_argument(
        "--parcels", metavar="PATH", help="parcel layer with a credit_code field: map parcels, not points"
    )
    _add_control_options(ev)
    sc = sub.add_parser("schemes", help="list the preset evaluation schemes with their sources")
    sc.add_argument("--format", choices=("table", "json"), default="table")
    ct = sub.add_parser(
        "control",
        help="check a ledger or a layer (e.g. projects) against the national control "
        "indicators for industrial land",
    )
    ct.add_argument(
        "ledger",
        metavar="LEDGER_OR_LAYER",
        help="a ledger (.csv or .xlsx), or a catalogue layer such as projects",
    )
    ct.add_argument("--format", choices=TABLE_FORMATS, default="table")
    ct.add_argument("-o", "--output", metavar="PATH", help="file to write (default: stdout)")
    _add_ledger_options(ct)
    _add_control_options(ct)


def _add_ledger_options(p) -> None:
    p.add_argument("--sheet", help="Excel sheet (default: the first)")
    p.add_argument("--encoding", default="auto", help="CSV encoding: auto (default), utf-8, gbk or gb18030")
    p.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="COLUMN=UNIT",
        help="unit of a column whose header gives none, e.g. land_area_mu=m2 or tax_wan=元 (repeatable)",
    )


def _add_control_options(p) -> None:
    p.add_argument(
        "--city-class", help="city class (城市等别) row of the investment minimums in control_indicators.yaml"
    )
    p.add_argument(
        "--invest-min",
        type=float,
        metavar="WAN_PER_MU",
        help="investment-intensity minimum, 万元/亩 (overrides --city-class)",
    )


# ----------------------------------------------------------------------------- commands
def cmd_evaluate(args) -> int:
    from zkq_geo.evaluation.evaluate import evaluate
    from zkq_geo.evaluation.scheme import load_scheme

    fmt = _format(args)
    if fmt in BINARY_FORMATS and not args.output:
        raise OptionError(f"--format {fmt} writes a file: give -o PATH, e.g. -o evaluation.{fmt}")
    ledger = _read(args)
    evaluation = evaluate(ledger, load_scheme(args.scheme))
    if fmt == "xlsx":
        write_bytes(args.output, _xlsx(evaluation, ledger, args))
    elif fmt == "html":
        write_bytes(args.output, _html(evaluation, ledger, args).encode("utf-8"))
    else:
        _emit_wide(_evaluation_table(evaluation, args.group_by), fmt, args.output)
    _report(evaluation, args)
    return 0


def cmd_schemes(args) -> int:
    from zkq_geo.evaluation.scheme import list_presets, unsourced_items

    rows = [
        {
            "id": s.id,
            "title_zh": s.title_zh,
            "title_en": s.title_en,
            "groups": ", ".join(g.id for g in s.groups),
            "classes": s.class_rule.kind,
            "source": s.source,
            "not_from_source": [f"{topic}: {text}" for topic, text in unsourced_items(s)],
        }
        for s in list_presets()
    ]
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return 0
    for r in rows:
        unsourced = "".join(f"\n  not from the source: {line}" for line in r["not_from_source"])
        print(
            f"{r['id']}: {r['title_zh']} / {r['title_en']}\n  groups: {r['groups']}; classes: "
            f"{r['classes']}\n"
            f"  source: {r['source']}{unsourced}\n"
        )
    return 0


def cmd_control(args) -> int:
    _emit_wide(_control(_control_source(args), args), args.format, args.output)
    return 0


EVALUATE_COMMANDS = {"evaluate": cmd_evaluate, "schemes": cmd_schemes, "control": cmd_control}


# ----------------------------------------------------------------------------- helpers
def _format(args) -> str:
    if args.format:
        return args.format
    return _SUFFIX_FORMATS.get(Path(args.output).suffix.lower(), "table") if args.output else "table"


def _units(pairs: list[str]) -> dict[str, str]:
    units = {}
    for pair in pairs:
        column, sep, unit = pair.partition("=")
        if not sep or not column.strip() or not unit.strip():
            raise OptionError(f"--unit {pair!r} must be COLUMN=UNIT, e.g. land_area_mu=m2")
        units[column.strip()] = unit.strip()
    return units


def _read(args) -> pd.DataFrame:
    from zkq_geo.evaluation.ledger import read_ledger

    return read_ledger(args.ledger, sheet=args.sheet, encoding=args.encoding, units=_units(args.unit))


def _control_source(args) -> pd.DataFrame:
    """The ledger file, or the layer of that name when no such file exists (projects, an import)."""
    if not Path(args.ledger).exists():
        from zkq_geo.cli.acting import open_acting

        catalog = open_acting(args).catalog()  # only layers the --as user may see
        if args.ledger in catalog.layers:
            from zkq_geo.layers import load_layer

            gdf = load_layer(args.ledger, catalog).gdf
            return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _read(args)


def _notice(args) -> str:
    return label("report_title.synthetic", args.lang) if "synthetic" in Path(args.ledger).name.lower() else ""


def _evaluation_table(evaluation, group_by: str | None) -> pd.DataFrame:
    from zkq_geo.evaluation.evaluate import summarize_classes

    if group_by:
        return summarize_classes(evaluation, group_by)
    return evaluation.table[evaluation.result_columns]


def _control(ledger: pd.DataFrame, args) -> pd.DataFrame:
    from zkq_geo.evaluation.control import control_check, load_control_rules

    return control_check(
        ledger, load_control_rules(), city_class=args.city_class, investment_min_wan_per_mu=args.invest_min
    )


def _summaries(evaluation, args) -> dict[str, pd.DataFrame]:
    from zkq_geo.evaluation.evaluate import summarize_classes

    keys = [args.group_by] if args.group_by and args.group_by != "group" else []
    keys += [k for k in ("park", "plate", "industry") if k not in keys and k in evaluation.table.columns]
    return {label(f"report_title.{k}", args.lang): summarize_classes(evaluation, k) for k in keys}


def _xlsx(evaluation, ledger: pd.DataFrame, args) -> bytes:
    from zkq_geo.evaluation.report import evaluation_xlsx

    extra = {**_summaries(evaluation, args), label("report_title.control", args.lang): _control(ledger, args)}
    return evaluation_xlsx(evaluation, extra_sheets=extra, notice=_notice(args), lang=args.lang)


def _html(evaluation, ledger: pd.DataFrame, args) -> str:
    from zkq_geo.evaluation.evaluate import evaluation_points, join_parcels
    from zkq_geo.evaluation.report import evaluation_html

    if args.parcels:
        from zkq_geo.importing.reader import (
            read_import,
        )  # untrusted like any upload: sniffed, bounded, CRS checked

        features, report = join_parcels(evaluation, read_import(args.parcels)[0])
        print(f"zkq-geo: parcels: {report.summary()}", file=sys.stderr)
    else:
        features = evaluation_points(evaluation)
    return evaluation_html(
        evaluation,
        features=features,
        backdrop=_zone_backdrop(),
        summaries=_summaries(evaluation, args),
        control=_control(ledger, args),
        notice=_notice(args),
        lang=args.lang,
    )


def _zone_backdrop():
    """The zone outline (schematic) under the report map; none if the catalogue cannot be read."""
    from zkq_geo.layers import load_layer

    try:
        return load_layer("zone").gdf
    except ZkqGeoError as exc:
        print(f"zkq-geo: note: report map drawn without the zone outline ({exc})", file=sys.stderr)
        return None


def _report(evaluation, args) -> None:
    counts = evaluation.table["status"].value_counts()
    target = f" -> {args.output}" if args.output else ""
    print(
        f"zkq-geo: {len(evaluation.table)} firms under {evaluation.scheme.id}: {counts.get('graded', 0)} "
        "graded, "
        f"{counts.get('rated', 0)} rated only, {counts.get('excluded', 0)} excluded{target}",
        file=sys.stderr,
    )


def _emit_wide(df: pd.DataFrame, fmt: str, output: str | None) -> None:
    """Evaluation tables are wide: more columns per line, numbers as the reports show them."""
    from zkq_geo.evaluation.report import format_number

    emit(df, fmt, output, float_format=format_number, width=250, max_columns=60)
