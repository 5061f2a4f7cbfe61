"""The account's users and units, read for the connection's choices (GET /SevUser, /Unity)."""

import pytest
from sevdesk_api import SevdeskError, ValidationError, build_save_invoice_payload
from sevdesk_api.const import LIST_PAGE_SIZE, MAX_LIST_PAGES


def test_users_are_listed_with_their_names_and_ids(fake, client):
    assert client.list_users() == [
        {"id": "42", "name": "Anna Schmidt", "username": "anna.schmidt@spedition-nord.example"},
        {"id": "77", "name": "Jonas Weber", "username": "jonas.weber@spedition-nord.example"},
    ]
    params = [r for r in fake.requests if r[1] == "/api/v1/SevUser"]
    assert params == [("GET", "/api/v1/SevUser", 200)]


def test_a_user_without_fullname_is_named_by_first_and_last_name_or_login(fake, client):
    fake.users[0].pop("fullname")
    fake.users[1].update(fullname="", firstName="", lastName="")
    names = [user["name"] for user in client.list_users()]
    assert names == ["Anna Schmidt", "jonas.weber@spedition-nord.example"]


def test_units_are_listed_with_their_german_names(fake, client):
    units = client.list_units()
    assert [(unit["id"], unit["name"]) for unit in units] == [
        (1, "Stk"),
        (9, "Std"),
        (10, "km"),
        (19, "Pauschal"),
    ]
    assert units[0]["code"] == "UNITY_PIECE"


def test_long_lists_are_read_page_by_page(fake, client):
    fake.units += [
        {"id": 100 + number, "objectName": "Unity", "name": f"E{number}"}
        for number in range(LIST_PAGE_SIZE)
    ]
    units = client.list_units()
    assert len(units) == LIST_PAGE_SIZE + 4
    assert len({unit["id"] for unit in units}) == len(units)
    assert len([r for r in fake.requests if r[1] == "/api/v1/Unity"]) == 2


def test_a_list_longer_than_the_page_limit_fails_rather_than_being_cut(fake, client):
    fake.units = [
        {"id": 100 + number, "objectName": "Unity", "name": f"E{number}"}
        for number in range(LIST_PAGE_SIZE * MAX_LIST_PAGES)
    ]
    with pytest.raises(SevdeskError, match="more than"):
        client.list_units()


@pytest.mark.parametrize(
    ("path", "broken", "message"),
    [
        ("users", {"id": None}, "without an id"),
        ("users", {"id": "abc"}, "without an id"),
        ("units", {"id": 0}, "without an id"),
        ("units", {"name": ""}, "without a name"),
    ],
)
def test_objects_without_id_or_name_are_refused(fake, client, path, broken, message):
    getattr(fake, path)[0].update(broken)
    with pytest.raises(SevdeskError, match=message):
        client.list_users() if path == "users" else client.list_units()


@pytest.mark.parametrize("fault", ["null_200", "html_200"])
def test_an_answer_without_a_list_is_an_error(fake, client, fault):
    fake.inject("GET", "/SevUser", [fault])
    with pytest.raises(SevdeskError):
        client.list_users()


def test_listed_ids_are_what_a_saved_invoice_takes(fake, client, draft, settings):
    user = client.list_users()[1]
    unit = next(unit for unit in client.list_units() if unit["name"] == "Pauschal")
    payload = build_save_invoice_payload(
        draft, **dict(settings, contact_person_id=user["id"], unit_ids={"default": unit["id"]})
    )
    invoice = client.save_invoice(payload)
    stored = fake.invoices[str(invoice["id"])]
    assert stored["contactPerson"] == {"id": 77, "objectName": "SevUser"}
    assert {p["unity"]["id"] for p in stored["positions"]} == {19}


def test_the_fake_refuses_a_user_or_unit_the_account_does_not_have(fake, client, draft, settings):
    payload = build_save_invoice_payload(
        draft, **dict(settings, contact_person_id="43", unit_ids={"default": 2})
    )
    with pytest.raises(ValidationError, match="contactPerson 43 is not a SevUser") as caught:
        client.save_invoice(payload)
    assert "unity 2 is not a Unity" in str(caught.value)
    assert not fake.invoices
