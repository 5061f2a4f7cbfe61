"""The Leitweg-ID, German public buyers' e-invoice address (EN 16931 BT-10).

Its format is KoSIT's "Format-Spezifikation Leitweg-ID" (version 2.0.2):
``<Grobadressierung>[-<Feinadressierung>]-<Prüfziffer>``, where the coarse address is
2 to 12 digits, the fine address up to 30 letters and digits, and the two check digits
those of ISO/IEC 7064 MOD 97-10 over the coarse and fine address together (letters
counting A=10 ... Z=35), so that the whole number without hyphens is 1 modulo 97. At
most 46 characters.

Nothing here imports ``odoo``.
"""

import re

from stdnum.iso7064 import mod_97_10

MAX_LENGTH = 46
_FORMAT = re.compile(r"(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[0-9A-Z]{1,30}))?-(?P<check>[0-9]{2})")

# Why a text is no Leitweg-ID.
FORMAT = "format"
CHECK_DIGITS = "check_digits"


def leitweg_id_error(value):
    """None when ``value`` is a Leitweg-ID, else why not (``FORMAT``, ``CHECK_DIGITS``)."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        return FORMAT
    match = _FORMAT.fullmatch(value.upper())
    if not match:
        return FORMAT
    number = match["coarse"] + (match["fine"] or "") + match["check"]
    if not mod_97_10.is_valid(number):
        return CHECK_DIGITS
    return None


def leitweg_check_digits(coarse, fine=""):
    """The two check digits of a Leitweg-ID's coarse and fine address."""
    return mod_97_10.calc_check_digits((coarse + fine).upper())
