"""ucauth: Thai national ID smart-card login and an NHSO-compatible rights-checking service."""

__version__ = "0.1.0"
