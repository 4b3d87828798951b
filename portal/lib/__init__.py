"""The shared library: what every domain uses and that knows no domain."""
