"""Training a run: the runner, its events and callbacks, resuming, TensorBoard and MLflow."""
