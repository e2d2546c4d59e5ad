"""Jobs: the functions the scheduler runs, their recorded runs, and the scheduler itself."""
