"""Using a trained run: predictions and explanations."""
