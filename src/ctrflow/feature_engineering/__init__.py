"""Columnar encoding of typed tables into model input: vocabularies, offsets, FeatureMap.

Import from the modules (``encoding``, ``feature_map``, ``interactions``): this
package imports nothing, so reading its ``params`` loads nothing else.
"""
