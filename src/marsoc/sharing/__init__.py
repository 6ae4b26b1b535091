"""Information-sharing agreements as data: the parties, purposes, categories of data and classification
each allows, read by the access façade on every partner access (architecture.md §4)."""
