"""Score pipeline: new_logs + model -> predictions, scoring_report, scoring_quarantine.

One Kedro namespace, ``score`` (a group in kedro-viz); every dataset keeps its
catalog name. Not part of ``train``: ``kedro run --pipeline=score`` scores the
file of ``new_logs`` with the latest ``model`` (or ``--load-versions
model:<version>``, or ``score.model_version``).
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.score.nodes import score_new_logs

INPUTS = {"new_logs", "model"}
OUTPUTS = {"predictions", "scoring_report", "scoring_quarantine"}
PARAMETERS = {"score"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=score_new_logs,
            inputs=["new_logs", "model", "params:score"],
            outputs=["predictions", "scoring_report", "scoring_quarantine"],
            name="score_new_logs_node",
        )
    ]
    return Pipeline(
        nodes,
        namespace="score",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
