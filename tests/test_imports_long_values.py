"""Messages about bad cells quote long values shortened, whatever parser found the problem."""
from __future__ import annotations

from vocapp.core.imports import read_table
from vocapp.core.imports.contacts import validate_contacts


def test_long_bad_email_is_quoted_shortened_like_other_bad_cells():
    long_email = "not-an-address-" + "x" * 200
    csv = ("email,first_name,last_name,account_id,account_name,relationship,role\n"
           f"{long_email},Ann,Jones,A1,Acme,{'y' * 200},user\n")
    result = validate_contacts(read_table(csv.encode(), "contacts.csv"), "contacts.csv")
    reasons = {issue.column: issue.reason for issue in result.errors}
    assert set(reasons) == {"email", "relationship"}
    assert reasons["email"].startswith("'not-an-address-xxx")
    assert "is not a valid email address" in reasons["email"]
    assert "x" * 100 not in reasons["email"] and "...'" in reasons["email"]
    # The same shortening for the email as for any other bad cell.
    assert reasons["email"].index("' ") == reasons["relationship"].index("' ")
