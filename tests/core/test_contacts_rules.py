"""Account relationship and latest response per contact: core rules on DataFrames."""
import pandas as pd

from vocapp.core.contacts import account_relationships, latest_per_contact


def test_an_account_is_both_when_its_contacts_cover_member_and_customer():
    contacts = pd.DataFrame({"account_id": [1, 1, 2, 3, 3, 4],
                             "relationship": ["member", "customer", "member", "customer", "customer", "both"]})
    derived = account_relationships(contacts)
    assert derived.to_dict() == {1: "both", 2: "member", 3: "customer", 4: "both"}


def test_no_contacts_means_no_derived_relationship():
    assert account_relationships(pd.DataFrame({"account_id": [], "relationship": []})).empty


def test_latest_response_per_contact_breaks_timestamp_ties_by_id():
    day = pd.Timestamp("2026-01-01", tz="UTC")
    responses = pd.DataFrame({
        "id": [10, 11, 12, 13, 14],
        "contact_id": [1, 1, 2, 2, None],
        "submitted_at": [day + pd.Timedelta(days=2), day, day, day, day],
        "answer": ["newest of 1", "older of 1", "tie, lower id", "tie, higher id", "anonymous"],
    })
    latest = latest_per_contact(responses)
    assert latest["answer"].tolist() == ["newest of 1", "tie, higher id", "anonymous"]  # original order


def test_a_response_without_a_time_is_a_contacts_oldest():
    responses = pd.DataFrame({"id": [1, 2], "contact_id": [5, 5], "answer": ["undated", "dated"],
                              "submitted_at": [pd.NaT, pd.Timestamp("2025-06-01", tz="UTC")]})
    assert latest_per_contact(responses)["answer"].tolist() == ["dated"]
