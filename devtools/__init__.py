"""What developers run, not users: the mutation benchmark (syntactic and domain operators), the measuring
tools (preview time, the dashboards' query cost, the rules' evaluation cost) and the model of a metrics
store's HA tracker that the live global-view test writes through. It may import harness/, never the reverse."""
