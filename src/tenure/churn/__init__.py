"""The churn model: point-in-time features, honest backtests, versioned models, scoring."""
