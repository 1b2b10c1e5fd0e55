"""The ground floor: the typed settings schema (Pulumi.yaml), validation and cluster specs."""
