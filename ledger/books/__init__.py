"""The books: budget years, accounts, reserves, entries and their invariants; the only writer of
money is booking.book."""
