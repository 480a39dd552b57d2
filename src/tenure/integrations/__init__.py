"""Integrations with outside systems, one package per vendor."""
