"""Services: one transaction's work each. They add and flush; routes commit."""
