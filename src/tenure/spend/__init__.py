"""The spend domain."""
