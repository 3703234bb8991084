"""Scoring new impression logs with a stored model: the training schema's typing and
quarantine (``prepare``), the stored derived features and feature map, blocks of
rows (``batch``), the scoring report (``report``) and the online ``Scorer``
(``scorer``). Importing this package loads no torch: the modules that predict
import it.
"""
