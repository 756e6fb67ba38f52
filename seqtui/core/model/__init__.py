"""The model: architectures, building, size estimates, the checks of a config, the baselines to beat."""
