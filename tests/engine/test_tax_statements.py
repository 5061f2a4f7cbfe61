"""The tax statements of the tax situations: one row each, as EN 16931 and the UNTDID 5305
and VATEX code lists allow them."""

from tms_billing_engine.vocabulary import SITUATIONS, TAX_STATEMENTS, VAT_CHARGED_SITUATIONS

# UNTDID 5305 as EN 16931 uses it (BT-118, BT-151).
CATEGORIES = {"S", "Z", "E", "AE", "K", "G", "O", "L", "M"}


def test_every_situation_has_its_statement():
    assert set(TAX_STATEMENTS) == set(SITUATIONS)


def test_taxed_situations_state_nothing_and_the_others_a_category_and_a_reason():
    for situation, statement in TAX_STATEMENTS.items():
        if situation in VAT_CHARGED_SITUATIONS:
            assert statement is None, situation
            continue
        category, code, text = statement
        assert category in CATEGORIES, situation
        assert code is None or code.startswith("VATEX-EU-"), situation
        # BR-AE-10, BR-O-10, BR-E-10: a reason code or text; the text is printed too.
        assert text, situation


def test_services_abroad_are_reverse_charge_or_not_taxable():
    assert TAX_STATEMENTS["eu_business"][:2] == ("AE", "VATEX-EU-AE")
    assert TAX_STATEMENTS["third_country"][:2] == ("O", "VATEX-EU-O")
