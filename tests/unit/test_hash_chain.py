"""The public chain's canonical JSON: orjson's bytes are the standard library's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit.hash_chain import PUBLIC_FIELDS, public_canonical
from domain.audit.signing import canonical_json

# What a public record holds: text (any character, controls and non-BMP too),
# integers (past 64 bits too), booleans, null, lists and objects.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({field: JSON for field in PUBLIC_FIELDS}))
def test_public_canonical_writes_the_standard_librarys_bytes(record):
    assert public_canonical(record) == canonical_json(record)


def test_an_integer_past_64_bits_is_written_whole():
    record = dict.fromkeys(PUBLIC_FIELDS, 2**70)
    assert public_canonical(record) == canonical_json(record)
    assert b"1180591620717411303424" in public_canonical(record)
