"""The door: thin Typer commands, each one call into what runs headless below it."""

from seqtui.common.exit import quiet_interrupts

quiet_interrupts()  # until a command runs (`main_callback`) or `main` has loaded (importers: tests)
