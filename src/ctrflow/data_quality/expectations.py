"""GX 1.x expectation classes by name, and checking an analyst's expectation spec.

``great_expectations.expectations`` exposes one class per expectation type; its
pydantic (v1) fields are the arguments it takes. ``check_expectation`` turns a spec
from ``conf/base/parameters_data_quality.yml`` (type, column, kwargs) into a GX
expectation, or raises ``ValueError`` naming the bad type or argument and the valid
ones; ``DataQualityParams`` calls it, so a typo stops ``kedro run`` before any node.
"""

from __future__ import annotations

import difflib
import functools
import inspect
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
        ValueError: unknown expectation type 'expect_column_values_to_be_betwen'; did you mean 'expect_column_values_to_be_between'? ...

    Raises:
        ValueError: unknown type (with close matches and every valid type), an
            argument the type does not take (with the ones it takes), or values
            GX rejects.
    """
    classes = expectation_classes()
    if expectation not in classes:
        close = difflib.get_close_matches(expectation, classes, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(
            f"unknown expectation type {expectation!r}{hint} Valid types "
            f"(great_expectations.expectations): {', '.join(classes)}"
        )
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
