"""Account lifecycle: access requests approved by regional offices (R7), legacy unit
credentials and their sunset (R8)."""
