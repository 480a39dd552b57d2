"""Lifecycle stages and onboarding milestones (METRICS.md section 8)."""
