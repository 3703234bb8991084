import pytest

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.quarantine import QUARANTINE_SCHEMA
from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.ingestion.read import delimited, lines
from ctrflow.ingestion.read.delimited import read_delimited


def test_criteo_tsv_gzip_without_header(write_file):
    path = write_file("a.tsv.gz", "1\t5\t\tab12\n0\t\t7\tcd34\n", gz=True)
    part = read_delimited(path, "criteo_tsv")
    frame = part.frame
    assert frame.columns == ["column_1", "column_2", "column_3", "column_4"]
    assert frame.row(0) == ("1", "5", None, "ab12")
    assert part.first_line == 1
    assert part.source == path


def test_csv_and_tsv_with_header(write_file):
    csv = write_file("a.csv", 'label,user,item\r\n1,"u,1",i1\r\n0,u2,i2\r\n')
    tsv = write_file("a.tsv", "label\tuser\n1\tu1\n")
    frame = read_delimited(csv, "csv", header=True).frame
    assert frame.columns == ["label", "user", "item"]
    assert (
        frame.row(0) == ("1", "u,1", "i1") and frame.row(1)[2] == "i2"
    )  # CRLF stripped
    part = read_delimited(tsv, "tsv", header=True)
    assert part.frame.row(0) == ("1", "u1") and part.first_line == 2
    assert part.header is True and part.first is None


def test_auto_keeps_the_first_line_aside_for_ingestion_to_decide(write_file):
    path = write_file("a.csv", "label,user\n1,u1\n0,u2\n")
    part = read_delimited(path, "csv")
    assert part.header is None
    assert (
        part.first.fields == ["label", "user"] and part.first.raw_text == "label,user"
    )
    assert part.frame.columns == ["column_1", "column_2"]
    assert part.frame.rows() == [("1", "u1"), ("0", "u2")]
    assert part.rows_read == 2 and part.first_line == 2


def test_auto_reads_a_blank_or_unparseable_first_line_as_data(write_file):
    part = read_delimited(write_file("a.csv", '"a\n1\n'), "csv")
    assert part.header is False and part.first is None
    assert part.rejected["reason"].to_list() == ["unparseable_line"]


def test_explicit_headerless_csv_is_numbered(write_file):
    part = read_delimited(write_file("a.csv", "1,u1\n0,u2\n"), "csv", header=False)
    assert part.frame.columns == ["column_1", "column_2"] and part.first_line == 1
    assert part.rows_read == 2


def test_lines_keep_their_number_and_raw_text_and_bad_lines_are_set_aside(
    write_file,
):
    # gzip is recognised by its magic bytes, whatever the name
    path = write_file("a.txt", "label\tn\n1\t2\n\n0\t3\textra\r\n1\t4\r\n", gz=True)
    part = read_delimited(path, "tsv", header=True)
    raw = RawLogs.from_parts({"all": part}, "tsv")
    assert raw.frames["all"].rows() == [("1", "2"), ("1", "4")]
    # a tab-separated row's text is its fields joined back (not kept twice)
    assert raw.lines["all"]["line_number"].to_list() == [2, 5]
    assert raw.raw_text("all").to_list() == ["1\t2", "1\t4"]
    assert raw.rejected["all"].select("line_number", "reason", "raw_text").rows() == [
        (3, "empty_line", ""),
        (4, "wrong_field_count", "0\t3\textra"),
    ]
    assert raw.rows_read == {"all": 4}


def test_headerless_width_is_that_of_most_lines(write_file):
    part = read_delimited(write_file("a.tsv", "1\t2\tx\n0\t3\ty\n1\t4\n"), "criteo_tsv")
    assert part.frame.width == 3 and part.frame.height == 2
    assert part.rejected["detail"].to_list() == ["2 tab-separated field(s), expected 3"]


def test_csv_keeps_each_lines_text_and_quarantines_bad_quoting(write_file):
    path = write_file("f.csv", 'label,c\n1,"a,b"\n0,"unclosed\n1,x,extra\n0,')
    part = read_delimited(path, "csv", header=True)
    assert part.frame.rows() == [("1", "a,b"), ("0", None)]
    assert part.lines.rows() == [(2, '1,"a,b"'), (5, "0,")]
    assert part.rejected.schema == QUARANTINE_SCHEMA
    assert part.rejected.select("line_number", "column", "reason", "detail").rows() == [
        (3, None, "unparseable_line", "the line's quoting cannot be parsed as CSV"),
        (4, None, "wrong_field_count", "3 comma-separated field(s), expected 2"),
    ]
    assert part.rows_read == 4


def test_a_truncated_last_line_is_named(write_file):
    part = read_delimited(write_file("a.tsv", "1\t2\tx\n0\t3\ty\n1\t7"), "criteo_tsv")
    assert part.rejected["detail"].to_list() == [
        "2 tab-separated field(s), expected 3 (last line, no line end: the file "
        "may be truncated)"
    ]


def test_small_blocks_and_slices_give_the_same_rows(write_file, monkeypatch):
    text = "label\tn\n" + "".join(f"{i % 2}\t{i}\n" for i in range(40)) + "\n1\t9\n"
    path = write_file("a.tsv", text)
    whole = read_delimited(path, "tsv")
    monkeypatch.setattr(lines, "_BLOCK_BYTES", 10)
    monkeypatch.setattr(delimited, "_SLICE_ROWS", 3)
    split = read_delimited(path, "tsv")
    assert split.frame.equals(whole.frame) and split.frame.height == 41
    assert split.lines.equals(whole.lines)
    assert split.rejected.equals(whole.rejected)
    assert split.rejected["line_number"].to_list() == [42]


@pytest.mark.parametrize(
    "file_format, content, message",
    [
        ("tsv", "label\tn\tc\n", r"head.txt: has a header line but no data rows "
         r"\(header: \['label', 'n', 'c'\]\)"),
        ("csv", "label,n,c,n\n1,2,x,3\n", r"head.txt:1: the header names column\(s\) "
         r"\['n'\] more than once; header: \['label', 'n', 'c', 'n'\]"),
        ("csv", "label,,c\n1,2,x\n", r"head.txt:1: the header has an empty column "
         r"name at position 2"),
        ("tsv", " \n1\t2\n", r"head.txt:1: the header line is empty or unparseable"),
        ("csv", '"a\n1\n', r"head.txt:1: the header line is empty or unparseable"),
    ],
)  # fmt: skip
def test_bad_headers_are_errors(write_file, file_format, content, message):
    with pytest.raises(UnreadableLogsError, match=message):
        read_delimited(write_file("head.txt", content), file_format, header=True)


def test_a_long_header_is_shortened_in_the_message(write_file):
    names = [f"column_name_{i}" for i in range(10)]
    path = write_file("head.tsv", "\t".join(names) + "\n")
    with pytest.raises(UnreadableLogsError) as error:
        read_delimited(path, "tsv")
    assert str(error.value).endswith(f"(header: {str(names)[:60]}...)")


def test_bad_lines_in_blocks_far_apart(write_file, monkeypatch):
    # with several text blocks, the wrong lines' column has empty chunks between
    # them (a file over 128 MB at the real block size)
    good = "".join(f"{i % 2}\t{i}\tx\n" for i in range(30))
    path = write_file("a.tsv", "1\t2\n" + good + "1\t2\n" + good + "0\t5\n")
    monkeypatch.setattr(lines, "_BLOCK_BYTES", 16)
    part = read_delimited(path, "criteo_tsv")
    assert part.frame.height == 60
    assert part.rejected.select("line_number", "detail").rows() == [
        (1, "2 tab-separated field(s), expected 3"),
        (32, "2 tab-separated field(s), expected 3"),
        (63, "2 tab-separated field(s), expected 3"),
    ]
