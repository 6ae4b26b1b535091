"""Operating the service: health and readiness probes, request ids and JSON application logs."""
