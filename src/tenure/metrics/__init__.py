"""Revenue and retention metrics (METRICS.md), defined once in `tenure.analytics`."""
