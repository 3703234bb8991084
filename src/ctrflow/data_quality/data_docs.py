"""GX Data Docs for every split on one HTML page, rendered by GX's own renderer.

GX's ``ValidationResultsPageRenderer`` turns one validation result into page
sections (an overview, then one section per column); this module renders each
split's stored result (``report["splits"][split]["gx_result"]``), prefixes its section
names with the split, puts a summary section of our own (built from GX components) in
front, and renders the lot with ``DefaultJinjaPageView``: one HTML document, its
styles inline. Like any GX Data Docs page it loads Bootstrap, jQuery and Font
Awesome from public CDNs; offline the content is all there, less styled.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Mapping
from typing import Any

from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationSuiteValidationResultSchema,
)
from great_expectations.render import (
    RenderedDocumentContent,
    RenderedHeaderContent,
    RenderedSectionContent,
    RenderedStringTemplateContent,
    RenderedTableContent,
)
from great_expectations.render.renderer.page_renderer import (
    ValidationResultsPageRenderer,
)
from great_expectations.render.view import DefaultJinjaPageView

from ctrflow.data_quality.report import describe_failure

PAGE_TITLE = "ctrflow data quality"


def render_data_docs(report: Mapping[str, Any]) -> str:
    """Renders the report's GX validation results, all splits, as one HTML page.

    The page opens with a summary: status and row count per split, the splits GX
    validated on a seeded sample (N of M rows), each check with its severity and
    number of failures, then every failed expectation. GX's own
    validation tables follow, per split; they do not show an expectation's meta or
    notes, so severities appear only in the summary.

    Args:
        report: a data-quality report (``ctrflow.data_quality.validate_tables``).

    Returns:
        The HTML document.
    """
    renderer = ValidationResultsPageRenderer()
    sections = [_summary_section(report)]
    for split, split_report in report["splits"].items():
        result = _load_result(split_report["gx_result"])
        document = renderer.render(result)
        note = (split_report.get("validation") or {}).get("note")
        sections += _split_sections(split, document.sections, note)
    document = RenderedDocumentContent(
        sections=sections,
        renderer_type="ValidationResultsPageRenderer",
        page_title=PAGE_TITLE,
        expectation_suite_name=report.get("suite_name") or "",
        utm_medium="validation-results-page",
    )
    return DefaultJinjaPageView().render(document, show_how_to_buttons=False)


def _load_result(gx_result: Mapping[str, Any]) -> ExpectationSuiteValidationResult:
    """GX's result object from its JSON dict (a copy: the report is not changed).

    The overview's "Data asset" line reads ``meta.batch_spec.data_asset_name``, which
    a dataframe batch leaves unset; it is filled from the batch definition (the split).
    """
    gx_result = copy.deepcopy(dict(gx_result))
    meta = gx_result.setdefault("meta", {})
    asset_name = (meta.get("active_batch_definition") or {}).get("data_asset_name")
    if asset_name and isinstance(meta.get("batch_spec"), dict):
        meta["batch_spec"].setdefault("data_asset_name", asset_name)
    return ExpectationSuiteValidationResultSchema().load(gx_result)


def _split_sections(
    split: str, sections: list[RenderedSectionContent], note: str | None = None
) -> list[RenderedSectionContent]:
    """Prefixes section names (table of contents) and the overview header with
    ``split``; the header says what was validated when it was a sample (``note``)."""
    for section in sections:
        # the table of contents puts names in unescaped (GX's .j2 templates do not
        # autoescape); a name is a column name, from the data
        section.section_name = html.escape(f"{split}: {section.section_name}")
    overview_header = sections[0].content_blocks[0]
    if isinstance(overview_header, RenderedHeaderContent):
        overview_header.header.string_template["template"] = f"Split: {split}" + (
            f" ({note})" if note else ""
        )
    return sections


def _summary_section(report: Mapping[str, Any]) -> RenderedSectionContent:
    status = "passed" if report["success"] else "FAILED (a blocking expectation failed)"
    header = RenderedHeaderContent(
        header=_text(f"{PAGE_TITLE}: {status}", tag="h5"),
        subheader=_text(
            f"{len(report['blocking_failures'])} blocking failure(s), "
            f"{len(report['warnings'])} warning(s); Great Expectations "
            f"{report.get('great_expectations_version', '')}"
        ),
        styling={
            "classes": ["col-12", "p-0"],
            "header": {"classes": ["alert", "alert-secondary"]},
        },
    )
    split_rows = [
        [
            html.escape(split),
            f"{split_report['row_count']:,}",
            len(split_report["expectations"]),
            "passed" if split_report["success"] else "FAILED",
        ]
        for split, split_report in report["splits"].items()
    ]
    notes = [
        [html.escape(split), split_report["validation"]["note"]]
        for split, split_report in report["splits"].items()
        if (split_report.get("validation") or {}).get("sampled")
    ]
    # GX puts table cells into the page as they are: escape what came from the data
    failures = [
        [entry["severity"], html.escape(describe_failure(entry))]
        for entry in [*report["blocking_failures"], *report["warnings"]]
    ]
    blocks = [
        header,
        _table(
            "Splits", ["Split", "Rows", "Expectations", "Blocking checks"], split_rows
        ),
        *(
            [
                _table(
                    "Validated on a sample (Great Expectations)",
                    ["Split", "Note"],
                    notes,
                )
            ]
            if notes
            else []
        ),
        _table(
            "Checks (all splits)",
            ["Check", "Severity", "Expectation", "Columns", "Evaluated", "Failed"],
            _check_rows(report),
        ),
        _table(
            "Failed expectations",
            ["Severity", "Failure"],
            failures or [["", "none: every expectation passed"]],
        ),
    ]
    return RenderedSectionContent(content_blocks=blocks, section_name="Summary")


def _check_rows(report: Mapping[str, Any]) -> list[list[Any]]:
    """One row per (check family, expectation type), in suite order."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for split_report in report["splits"].values():
        for entry in split_report["expectations"]:
            row = rows.setdefault(
                (entry["check"], entry["expectation"]),
                {
                    "severity": entry["severity"],
                    "columns": set(),
                    "evaluated": 0,
                    "failed": 0,
                },
            )
            if entry["column"] is not None:
                row["columns"].add(entry["column"])
            row["evaluated"] += 1
            row["failed"] += not entry["success"]
    return [
        [
            html.escape(str(check)),
            row["severity"],
            expectation,
            len(row["columns"]) or "table",
            row["evaluated"],
            row["failed"],
        ]
        for (check, expectation), row in rows.items()
    ]


def _text(template: str, tag: str = "p") -> RenderedStringTemplateContent:
    return RenderedStringTemplateContent(
        string_template={
            "template": template,
            "tag": tag,
            "styling": {"classes": ["m-0"]},
        }
    )


def _table(
    title: str, header_row: list[str], rows: list[list[Any]]
) -> RenderedTableContent:
    return RenderedTableContent(
        header=_text(title, tag="h6"),
        header_row=header_row,
        table=rows,
        styling={
            "classes": ["col-12", "table-responsive", "mt-1", "p-1"],
            "body": {"classes": ["table", "table-sm"]},
        },
    )
