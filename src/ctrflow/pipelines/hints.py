"""Names for node annotations whose libraries load only when a node runs.

Kedro evaluates every node's type hints (``typing.get_type_hints``) when it
validates the parameters, before any node runs: a name imported only under
``TYPE_CHECKING`` would fail there, and Kedro would then skip the parameters of
that node. These names are the real classes for a type checker and ``Any`` at run
time, so registering and validating the pipelines loads neither plotly nor torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from ctrflow.training.artifact import ModelArtifact
else:
    Figure = Any
    ModelArtifact = Any

__all__ = ["Figure", "ModelArtifact"]
