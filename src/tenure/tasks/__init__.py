"""The CSM's to-do list: list, assign, complete, snooze, notes."""
