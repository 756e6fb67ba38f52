"""What the commands run without the app: training, compare and sweep with terminal output."""
