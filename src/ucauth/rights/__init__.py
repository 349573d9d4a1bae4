"""Rights: the beneficiary registry, its code tables, import and generation, and the documents
of the rights service (SOAP ``UCWSTokenP1``, SRM-style REST JSON, FHIR Coverage)."""
