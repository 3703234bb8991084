from kedro.io import DatasetError

from ctrflow.ingestion.errors import IngestionError, UnreadableLogsError, excerpt


def test_unreadable_logs_are_an_ingestion_error_without_kedro():
    assert issubclass(UnreadableLogsError, IngestionError)
    assert issubclass(IngestionError, ValueError)
    assert not issubclass(UnreadableLogsError, DatasetError)


def test_excerpt_cuts_long_values():
    assert excerpt("abc", 3) == "abc"
    assert excerpt("abcd", 3) == "abc..."
