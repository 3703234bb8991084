"""Reading raw impression logs: Criteo TSV, CSV/TSV with header, Parquet, libsvm.

Text files are read as whole lines (``lines``: decoded as UTF-8, gzip detected by
its magic bytes) and split into fields with polars string operations
(``delimited``, ``libsvm``), so every row keeps its line number and raw text. A
line that does not split into the expected number of fields is not an error: it
goes to the read step's quarantine (``RawPart.rejected``) with its reason.
Problems with the file as a whole (empty, header only, truncated gzip, non-UTF-8
bytes, duplicate header names) raise ``UnreadableLogsError``.
"""

from ctrflow.ingestion.read.formats import FILE_FORMATS, FileFormat, read_part

__all__ = ["FILE_FORMATS", "FileFormat", "read_part"]
