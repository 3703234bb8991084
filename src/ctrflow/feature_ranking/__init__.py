"""Feature ranking with OutRank's cardinality-aware mutual information (no Kedro).

Import from the modules (``ranking``, ``selection``, ``redundancy``, ``interactions``,
``mutual_information``, ``encoding``, ``plots``): this package imports nothing, so
reading ``ctrflow.feature_ranking.params`` does not load OutRank or plotly.
"""
