"""The kernel every app stands on: errors and their codes, the database helpers, rate limits,
API authentication and pagination, uploads, and the shared rules on text. It imports no app."""
