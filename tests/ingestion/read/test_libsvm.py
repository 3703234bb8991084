from ctrflow.ingestion.read.libsvm import read_libsvm


def test_libsvm_takes_feature_indices_and_maps_minus_one_to_zero(write_file):
    path = write_file("a.libfm", "-1 12:1 900:1 5001:1\n1 13:1 901:1 5002:1\n")
    frame = read_libsvm(path).frame
    assert frame.rows() == [("0", "12", "900", "5001"), ("1", "13", "901", "5002")]


def test_shorter_lines_have_nulls_and_blank_lines_are_set_aside(write_file):
    part = read_libsvm(write_file("a.libsvm", "+1 3:1 7:0.5\n\n0 4:1\n"))
    assert part.frame.rows() == [("1", "3", "7"), ("0", "4", None)]
    assert part.lines.rows() == [(1, "+1 3:1 7:0.5"), (3, "0 4:1")]
    assert part.rejected.select("line_number", "reason", "detail").rows() == [
        (2, "empty_line", "the line is blank")
    ]
    assert (part.rows_read, part.first_line) == (3, 1)
