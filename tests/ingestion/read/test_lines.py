import gzip

import polars as pl
import pytest

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.read import lines as lines_module
from ctrflow.ingestion.read.lines import read_lines


def _rows(lines: pl.DataFrame) -> list[tuple]:
    return lines.select("line_number", "raw_text").rows()


def test_every_line_with_its_number_and_text(write_file):
    lines, blocks = read_lines(write_file("a.tsv", "1\ta\n\n0\tb\n"))
    assert _rows(lines) == [(1, "1\ta"), (2, ""), (3, "0\tb")]
    assert lines["_unterminated"].to_list() == [False] * 3
    assert pl.concat(blocks).to_list() == lines["raw_text"].to_list()


def test_bom_crlf_and_a_last_line_without_line_end(write_file):
    lines, _ = read_lines(write_file("a.csv", "\ufeffa,b\r\n1,2\r\n3,4"))
    assert _rows(lines) == [(1, "a,b"), (2, "1,2"), (3, "3,4")]
    assert lines["_unterminated"].unique().to_list() == [True]


def test_gzip_is_recognised_by_its_magic_bytes(write_file):
    lines, _ = read_lines(write_file("a.txt", "x\ny\n", gz=True))
    assert _rows(lines) == [(1, "x"), (2, "y")]


def test_small_blocks_give_the_same_lines(write_file, monkeypatch):
    text = "".join(f"{i}\tvalue {i}\r\n" for i in range(50)) + "last"
    path = write_file("a.tsv", text)
    whole, _ = read_lines(path)
    monkeypatch.setattr(lines_module, "_BLOCK_BYTES", 16)
    split, blocks = read_lines(path)
    assert len(blocks) > 10
    assert split.equals(whole)
    assert sum(block.len() for block in blocks) == split.height == 51


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(write_file, content):
    with pytest.raises(UnreadableLogsError, match=r"e.tsv: the file is empty"):
        read_lines(write_file("e.tsv", content))


def test_truncated_and_corrupt_gzip(write_file):
    whole = gzip.compress(("1\t2\n" * 2000).encode())
    with pytest.raises(
        UnreadableLogsError, match=r"cut.gz: the gzip data ends early .* truncated"
    ) as error:
        read_lines(write_file("cut.gz", whole[: len(whole) // 2]))
    assert isinstance(error.value.__cause__, EOFError)
    corrupt = whole[:10] + b"\xff" * 8 + whole[18:]
    with pytest.raises(UnreadableLogsError, match=r"bad.gz: corrupt gzip data: "):
        read_lines(write_file("bad.gz", corrupt))


def test_non_utf8_bytes_name_line_and_byte(write_file, monkeypatch):
    path = write_file("latin.tsv", b"1\t3\tx\n0\t4\tcaf\xe9\n")
    message = (
        r"latin.tsv:2: byte b'\\xe9' at byte offset 13 \(byte 8 of line 2\) is not "
        r"UTF-8 text. Re-encode the file as UTF-8"
    )
    with pytest.raises(UnreadableLogsError, match=message) as error:
        read_lines(path)
    assert isinstance(error.value.__cause__, UnicodeDecodeError)
    # the bad byte in a later block
    monkeypatch.setattr(lines_module, "_BLOCK_BYTES", 4)
    with pytest.raises(UnreadableLogsError, match=message):
        read_lines(path)
