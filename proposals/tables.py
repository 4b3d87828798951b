"""Tables of the proposals domain."""
