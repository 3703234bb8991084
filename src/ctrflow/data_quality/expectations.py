"""GX 1.x expectation classes by name, and checking an analyst's expectation spec.

``great_expectations.expectations`` exposes one class per expectation type; its
pydantic (v1) fields are the arguments it takes. ``check_expectation`` turns a spec
from ``data_quality.expectations`` (type, column, kwargs) into a GX
expectation, or raises ``ValueError`` naming the bad type or argument and the valid
ones. Importing GX takes seconds, so the check has two halves: ``DataQualityParams``
only checks the type's name (``check_expectation_type``, from GX's file names, no
import), so a typo stops ``kedro run`` in the second Kedro needs to start; the
data-quality stage's first node (``check_data_quality_params_node``) runs
``check_expectation`` on every spec, before any data is validated.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import inspect
from pathlib import Path
from typing import Any

# what every expectation has, not an argument of its check
_COMMON_FIELDS = frozenset(
    {
        "id",
        "meta",
        "notes",
        "result_format",
        "description",
        "catch_exceptions",
        "rendered_content",
        "severity",
        "windows",
        "batch_id",
    }
)


@functools.cache
def expectation_classes() -> dict[str, type]:
    """Expectation type (``expect_column_values_to_be_between``) -> GX class."""
    import great_expectations.expectations as gxe  # noqa: PLC0415 (slow import)
    from great_expectations.expectations.expectation import (  # noqa: PLC0415
        Expectation,
    )

    classes = {}
    for value in vars(gxe).values():
        if (
            inspect.isclass(value)
            and issubclass(value, Expectation)
            and getattr(value, "expectation_type", None)
        ):
            classes[value.expectation_type] = value
    return dict(sorted(classes.items()))


@functools.cache
def known_expectation_types() -> frozenset[str]:
    """The expectation types of the installed GX, read from its file names.

    GX 1.x keeps one module per type, named after it, in
    ``great_expectations/expectations/core/``; listing them takes a millisecond,
    importing GX seconds. A few deprecated modules there are not exported, so
    this is a superset of ``expectation_classes()``: a name it lacks is surely
    wrong, a name it has is checked in full by ``check_expectation``.

    Returns:
        The names; empty when GX is not installed as files (then nothing is
        checked here and ``check_expectation`` has the last word).
    """
    spec = importlib.util.find_spec("great_expectations")  # finds, does not import
    if spec is None or spec.origin is None:
        return frozenset()
    core = Path(spec.origin).parent / "expectations" / "core"
    return frozenset(path.stem for path in core.glob("*.py") if path.stem != "__init__")


def check_expectation_type(expectation: str) -> None:
    """Raise the ``ValueError`` of an unknown type, without importing GX.

    Raises:
        ValueError: ``expectation`` is not among ``known_expectation_types()``,
            with close matches and every valid type.
    """
    known = known_expectation_types()
    if known and expectation not in known:
        raise _unknown_type(expectation, sorted(known))


def _unknown_type(expectation: str, types: list[str]) -> ValueError:
    close = difflib.get_close_matches(expectation, types, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    return ValueError(
        f"unknown expectation type {expectation!r}{hint} Valid types "
        f"(great_expectations.expectations): {', '.join(types)}"
    )


def expectation_arguments(expectation: str) -> list[str]:
    """The arguments (kwargs) an expectation type takes, ``column`` first."""
    fields = expectation_classes()[expectation].__fields__
    names = [name for name in fields if name not in _COMMON_FIELDS]
    return sorted(names, key=lambda name: (name != "column", names.index(name)))


def check_expectation(
    expectation: str, column: str | None, kwargs: dict[str, Any]
) -> Any:
    """The GX expectation for a spec, or a ``ValueError`` saying what is wrong.

    Example::

        >>> check_expectation("expect_column_values_to_be_betwen", "I1", {})
        Traceback (most recent call last):
        ...
        ValueError: unknown expectation type 'expect_column_values_to_be_betwen'; did you mean 'expect_column_values_to_be_between' or ...

    Raises:
        ValueError: unknown type (with close matches and every valid type), an
            argument the type does not take (with the ones it takes), or values
            GX rejects.
    """
    classes = expectation_classes()
    if expectation not in classes:
        raise _unknown_type(expectation, list(classes))
    arguments = expectation_arguments(expectation)
    given = dict(kwargs)
    if column is not None:
        if "column" in given:
            raise ValueError(
                f"{expectation}: give the column once, as 'column' or in kwargs"
            )
        given["column"] = column
    unknown = sorted(set(given) - set(arguments))
    if unknown:
        close = {
            name: difflib.get_close_matches(name, arguments, n=1, cutoff=0.6)
            for name in unknown
        }
        hints = "".join(
            f" ({name!r}: did you mean {match[0]!r}?)"
            for name, match in close.items()
            if match
        )
        raise ValueError(
            f"{expectation} does not take {unknown}{hints}; it takes: "
            f"{', '.join(arguments)}"
        )
    try:
        return classes[expectation](**given)
    except Exception as error:  # GX's own (pydantic v1) validation
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in getattr(error, "errors", lambda: [])()
        ) or str(error)
        raise ValueError(f"{expectation} with {given}: {problems}") from None
