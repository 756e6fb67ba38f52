"""Many runs at once: comparisons (one after another or side by side) and Optuna sweeps."""
