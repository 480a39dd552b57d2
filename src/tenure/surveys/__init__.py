"""The surveys domain."""
