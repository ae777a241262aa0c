"""The ledger: certificates, their pieces and title registrations, and what every business on
them shares.

A piece has one holder for life; business that moves value ends pieces and makes new ones, so
the parent links are the chain of title and the face amount is conserved (integrity.py). The
rules any operation on a piece obeys are in rules.py: only a live piece moves, so a pledged
piece (or one reserved for an offset or a sale) cannot be transferred, split, pledged, offset or
sold until that business ends. Imports no other certificates sub-package.
"""
