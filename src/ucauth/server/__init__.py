"""The web layer: FastAPI app factory, HTTP error mapping, dependencies, operations endpoints."""
