"""Early warning: a registry of rules whose firings record their inputs and open tasks."""
