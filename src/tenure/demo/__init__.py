"""The demo company: a realistic, deterministic SaaS customer base (see docs/demo.md)."""
