import hashlib
import subprocess
import sys
from typing import get_args

import polars as pl

from ctrflow.ingestion.read import FILE_FORMATS, FileFormat, read_part


def test_each_format_has_its_reader_and_the_files_sha256(write_file, tmp_path):
    text = {"criteo_tsv": "1\t2\n", "tsv": "a\tb\n1\t2\n", "csv": "a,b\n1,2\n",
            "libsvm": "1 2:1\n"}  # fmt: skip
    paths = {name: write_file(f"{name}.txt", content) for name, content in text.items()}
    paths["parquet"] = str(tmp_path / "a.parquet")
    pl.DataFrame({"a": [1], "b": [2]}).write_parquet(paths["parquet"])
    assert sorted(paths) == sorted(FILE_FORMATS) == sorted(get_args(FileFormat))
    for file_format, path in paths.items():
        part = read_part(path, file_format)
        assert part.frame.height == 1 and part.source == path
        with open(path, "rb") as handle:
            assert part.checksum == hashlib.sha256(handle.read()).hexdigest()
    gz = write_file("a.tsv.gz", "1\t5\n", gz=True)
    assert len(read_part(gz, "criteo_tsv").checksum) == 64


def test_the_ingestion_library_imports_neither_kedro_nor_the_datasets():
    code = (
        "import sys, ctrflow.ingestion, ctrflow.ingestion.read; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('kedro', 'torch') "
        "or m.startswith('ctrflow.datasets')]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
