"""Customer health: scorecards, the measure registry, daily snapshots and explanations."""
