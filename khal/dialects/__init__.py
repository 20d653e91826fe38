"""IR definitions: the `khal` dialect (and, later, the SPIR-V subset we emit)."""
