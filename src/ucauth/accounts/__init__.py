"""Accounts: regions, units, users and their roles and statuses, workstations (agents)."""
