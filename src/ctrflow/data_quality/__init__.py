"""Data quality with Great Expectations 1.x: suite, validation, report, gate, Data Docs.

Pure functions, no Kedro: ``validation.validate_tables`` builds the suite from the
dataset schema and ``DataQualityParams``, validates each split in an ephemeral GX
context and returns a JSON-serialisable report; ``report.require_passed`` raises
``DataQualityError`` when a blocking expectation failed; ``data_docs.render_data_docs``
renders the report's GX results as one HTML page; ``plots.data_quality_figure`` draws
it with plotly. ``drift.compute_drift`` compares valid and test with train (OOV rate,
PSI, label rate); ``leaks.check_leaks`` flags columns that alone nearly determine the
label (single-column validation AUC).

This package imports nothing: importing ``ctrflow.data_quality.params`` must not load
Great Expectations (about 6 s), so import from the modules.
"""
