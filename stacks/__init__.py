"""Stack wiring: the top-level component and the output contract."""
