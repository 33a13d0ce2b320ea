"""Tamper evidence with no database: the hash chain, signatures, the export format.

Everything here is pure (standard library and `cryptography`), so a
regulator's machine can verify an export with these modules alone.
"""
