"""Scheduled work of this domain (registered through tenure.worker.registry.JOB_MODULES)."""
