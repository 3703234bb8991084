"""`ctrflow serve` (and `kedro serve`): which model file it serves, its flags (the
ServeParams fields and defaults), its errors, that registering it loads no web
framework, and (once ctrflow.scoring is in) a trained demo model served for real."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ctrflow.__main__ import main
from ctrflow.cli import cli
from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, generate_demo_logs
from ctrflow.serving import ServeParams
from ctrflow.serving.cli import resolve_model, serve


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"weights")
    return path


def test_a_versioned_folder_serves_its_latest_version(tmp_path):
    folder = tmp_path / "model.pt"
    _touch(folder / "2026-01-02T10.00.00.000Z" / "model.pt")
    latest = _touch(folder / "2026-01-10T09.00.00.000Z" / "model.pt")
    (folder / "2026-02-01T00.00.00.000Z").mkdir()  # a version folder without its file
    assert resolve_model(folder) == (latest, "2026-01-10T09.00.00.000Z")
    # a file named directly: its version folder, when it sits in one
    older = folder / "2026-01-02T10.00.00.000Z" / "model.pt"
    assert resolve_model(older) == (older, "2026-01-02T10.00.00.000Z")
    plain = _touch(tmp_path / "exported" / "deepfm.pt")
    assert resolve_model(plain) == (plain, None)


def test_a_missing_model_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not exist: train a model first"):
        resolve_model(tmp_path / "nothing.pt")
    empty = tmp_path / "model.pt"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"holds no saved version"):
        resolve_model(empty)
    result = CliRunner().invoke(serve, ["--model", str(empty)])
    assert result.exit_code == 1
    assert (
        f"Error: {empty} holds no saved version (<version>/model.pt)" in result.output
    )


def test_the_flags_are_the_serve_params_with_their_defaults():
    options = {
        option.name: option.default for option in serve.params if option.name != "model"
    }
    options.pop("log_level")
    assert options == ServeParams().model_dump()
    assert serve.params[0].default == Path("data/06_models/model.pt")


def test_the_docs_list_every_flag_with_its_default():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "serving.md").read_text()
    table = dict(
        re.findall(r"^\| `--([a-z-]+)` \| `([^`]+)`", docs, flags=re.MULTILINE)
    )
    assert table.pop("log-level") == "info"
    assert table == {
        name.replace("_", "-"): str(default)
        for name, default in ServeParams().model_dump().items()
    }


def test_a_bad_flag_is_a_usage_error_naming_it(tmp_path):
    result = CliRunner().invoke(
        serve, ["--port", "70000", "--max-rows-per-request", "0"]
    )
    assert result.exit_code == 2
    assert (
        "Error: --port: Input should be less than or equal to 65535; "
        "--max-rows-per-request: Input should be greater than or equal to 1"
    ) in result.output


def test_ctrflow_serve_and_kedro_serve_are_the_command(capsys):
    assert cli.commands["serve"] is serve
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Usage: ctrflow serve [OPTIONS]")
    assert "--max-body-bytes INTEGER" in shown and "[default: 1048576]" in shown
    # anything else is still the project's kedro run
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "--pipeline TEXT" in capsys.readouterr().out


def test_registering_the_commands_loads_no_web_framework():
    code = (
        "import sys\n"
        "import ctrflow.cli, ctrflow.serving\n"
        "print([m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_ctrflow_serve_scores_a_trained_demo_model_over_http(project_copy, run_project):
    """Trains LR on the demo slice, serves it with `python -m ctrflow serve` on any
    free port of 127.0.0.1, compares the answers with the Scorer's own."""
    scoring = pytest.importorskip("ctrflow.scoring.scorer")
    run_project(
        project_copy,
        runtime_params={
            "training": {"model": "LR", "max_epochs": 1, "progress_bar": False}
        },
    )
    models = project_copy / "data" / "06_models" / "model.pt"
    rows = generate_demo_logs(5, seed=11).drop(LABEL).to_dicts()
    expected = scoring.Scorer.from_artifact(resolve_model(models)[0]).predict(rows)
    process = subprocess.Popen(
        [sys.executable, "-m", "ctrflow", "serve", "--model", str(models)]
        + ["--port", "0", "--log-level", "info"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        url = None
        started = time.monotonic()
        while url is None and time.monotonic() - started < 60:
            assert process.poll() is None, "\n".join(lines)
            found = re.search(
                r"Uvicorn running on (http://127\.0\.0\.1:\d+)", "".join(lines)
            )
            url = found and found.group(1)
            time.sleep(0.1)
        assert url, "".join(lines)
        health = httpx.get(f"{url}/health").json()
        (saved,) = models.glob("*/model.pt")
        assert health["status"] == "ok"
        assert health["model_version"] == saved.parent.name
        answer = httpx.post(f"{url}/predict", json={"rows": rows})
        assert answer.status_code == 200, answer.text
        assert answer.json()["probabilities"] == [float(p) for p in expected]
        bad = [dict(rows[0]), *rows[1:]]
        bad[0][NUMERIC[0]] = "not a number"
        refused = httpx.post(f"{url}/predict", json={"rows": bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == NUMERIC[0]
        assert NUMERIC[0] in refused.json()["detail"]
        # rows the real scorer cannot type: a 422 naming the field, never a 5xx
        good = rows[0]
        without_c5 = {k: v for k, v in good.items() if k != CATEGORICAL[4]}
        for row, field in [
            (without_c5, CATEGORICAL[4]),
            ({**good, NUMERIC[1]: True}, NUMERIC[1]),
            ({**good, CATEGORICAL[2]: ["a", "b"]}, CATEGORICAL[2]),
        ]:
            answer = httpx.post(f"{url}/predict", json={"rows": [good, row]})
            assert answer.status_code == 422, answer.text
            assert (answer.json()["row"], answer.json()["field"]) == (1, field)
            assert json.loads(httpx.get(f"{url}/health").text)["status"] == "ok"
        empty = httpx.post(f"{url}/predict", json={"rows": [{}]})
        assert empty.status_code == 422
        assert empty.json()["field"] in good
        # other keys are left out, as the batch pipeline leaves out other columns
        extra = httpx.post(f"{url}/predict", json={"rows": [{**good, "note": "x"}]})
        assert extra.json()["probabilities"] == [float(expected[0])]
    finally:
        process.terminate()
        process.wait(20)
