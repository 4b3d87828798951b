"""The pages of the accounts and admin domain."""
