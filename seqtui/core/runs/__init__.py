"""Run folders: the folder and its lock, the list of runs, exports."""
