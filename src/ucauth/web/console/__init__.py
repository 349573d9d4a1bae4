"""The administrators' console: dashboard, users, workstations, units, audit search."""
