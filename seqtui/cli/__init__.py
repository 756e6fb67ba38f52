"""The door: thin Typer commands, each one call into what runs headless below it."""
