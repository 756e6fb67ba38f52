"""What a run is, answered before Keras loads: typed configs, presets, settings, tokenizer choices."""
