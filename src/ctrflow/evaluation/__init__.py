"""Vectorised CTR metrics and plotly figure builders."""
