"""Rules for data-subject rights, registered with the access façade (marsoc.core.access)."""
