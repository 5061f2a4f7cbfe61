"""The Leitweg-ID check, against KoSIT's format specification (version 2.0.2)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tms_billing_leitweg import (
    CHECK_DIGITS,
    FORMAT,
    MAX_LENGTH,
    leitweg_check_digits,
    leitweg_id_error,
)


@pytest.mark.parametrize(
    "value",
    [
        "04011000-12345-03",  # the XRechnung test suite's buyer reference
        "991-33333TEST-33",  # the spec's test Leitweg-ID (Bund, test address)
        "04011000-45",  # without a fine address
        "04011000-1234512345-06",
    ],
)
def test_valid_leitweg_ids(value):
    assert leitweg_id_error(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("04011000-12345-67", CHECK_DIGITS),
        ("04011000-12345-04", CHECK_DIGITS),
        ("4-12345-03", FORMAT),  # the coarse address has at least two digits
        ("0401100012345603", FORMAT),  # no hyphens
        ("04011000-ABC_DEF-03", FORMAT),
        ("04011000-12345-3", FORMAT),
        ("04011000-12345-03\x00", FORMAT),
        ("<b>04011000-12345-03</b>", FORMAT),
        ("", FORMAT),
        ("0" * 12 + "-" + "A" * 31 + "-00", FORMAT),
        ("9" * 100_000, FORMAT),
        (None, FORMAT),
        (4011000, FORMAT),
    ],
)
def test_no_leitweg_ids(value, reason):
    assert leitweg_id_error(value) == reason


@given(
    coarse=st.text("0123456789", min_size=2, max_size=12),
    fine=st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=30),
)
def test_every_address_with_its_check_digits_is_valid(coarse, fine):
    value = "-".join(filter(None, [coarse, fine, leitweg_check_digits(coarse, fine)]))
    assert len(value) <= MAX_LENGTH
    assert leitweg_id_error(value) is None
    wrong = f"{(int(value[-2:]) + 1) % 100:02d}"
    assert leitweg_id_error(value[:-2] + wrong) == CHECK_DIGITS
