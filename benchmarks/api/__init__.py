"""API benchmark: availability reports per second against GET /healthz on one server."""
