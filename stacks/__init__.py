"""Stack-level wiring: typed settings and the top-level component."""
