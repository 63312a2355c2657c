"""Pages of acts, CPOM and deadlines."""
