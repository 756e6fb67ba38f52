"""What a terminal shows of the engine (Rich tables, reporters, charts), for the CLI and the app alike."""
