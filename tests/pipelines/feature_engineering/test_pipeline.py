import polars as pl
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro_datasets.json import JSONDataset

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.pipelines.feature_engineering import create_pipeline


def test_pipeline_encodes_every_split_with_the_train_vocabulary(
    demo_table, tmp_path, demo_schema
):
    train, valid, test = demo_table[:15000], demo_table[15000:18000], demo_table[18000:]
    selected = ["C1", "C2", "C8", "I1"]
    catalog = DataCatalog(
        {
            "train_table": MemoryDataset(train),
            "valid_table": MemoryDataset(valid),
            "test_table": MemoryDataset(test),
            "selected_features": MemoryDataset(selected),
            "params:schema": MemoryDataset(demo_schema),
            "params:feature_engineering": MemoryDataset(FeatureEngineeringParams()),
            # a file, since the runner releases memory datasets once consumed
            "feature_map": JSONDataset(filepath=str(tmp_path / "feature_map.json")),
        }
    )
    SequentialRunner().run(create_pipeline(), catalog)
    saved = catalog.load("feature_map")
    assert saved["min_count"] == 2  # auto, 15,000 train rows
    feature_map = FeatureMap.from_dict(saved)
    assert feature_map.categorical_columns == ["C1", "C2", "C8", "I1"]
    for split, table in (("train", train), ("valid", valid), ("test", test)):
        encoded = catalog.load(f"{split}_encoded")
        assert encoded.height == table.height
        assert encoded.columns == ["label", "C1", "C2", "C8", "I1"]
        ids = encoded.select(pl.exclude("label"))
        assert ids.min().min_horizontal()[0] >= 0
        assert ids.max().max_horizontal()[0] < feature_map.vocab_size
    # C8 is near-unique: almost every valid value is unseen in train, so OOV
    c8 = feature_map.categorical[2]
    assert (catalog.load("valid_encoded")["C8"] == c8.offset + 1).mean() > 0.9
