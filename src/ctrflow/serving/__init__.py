"""The HTTP scorer (``ctrflow serve``): a FastAPI app in front of a Scorer.

``create_app`` is imported on first use, so importing this package (as the CLI
does to register ``serve``) loads neither FastAPI nor uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctrflow.serving.params import ServeParams

if TYPE_CHECKING:
    from ctrflow.serving.app import create_app

__all__ = ["ServeParams", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ctrflow.serving.app import create_app  # noqa: PLC0415 - FastAPI on use

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
