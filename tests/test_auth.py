"""Staff login, logout, roles and CSRF through the HTTP interface."""
from conftest import STAFF_PASSWORD
from helpers import csrf_token, login


def test_anonymous_staff_page_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_login_then_logout(client, make_staff):
    user = make_staff("analyst")
    page = login(client, user.email, STAFF_PASSWORD).get_data(as_text=True)
    assert f"Welcome, {user.email}" in page
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/")
    response = client.post("/auth/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You are logged out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, make_staff):
    user = make_staff("designer")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong password!", "csrf_token": token})
    assert "E-mail or password is not right." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_on_email(client, make_staff):
    user = make_staff("designer")
    login(client, user.email.upper(), STAFF_PASSWORD)
    assert client.get("/").status_code == 200


def test_wrong_role_gets_403(client_as):
    client = client_as("analyst")
    assert client.get("/staff").status_code == 403


def test_admin_sees_staff_page(client_as, make_staff):
    other = make_staff("designer")
    client = client_as("admin")
    page = client.get("/staff").get_data(as_text=True)
    assert other.email in page


def test_post_without_csrf_token_is_refused(client, make_staff):
    user = make_staff("admin")
    response = client.post("/auth/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_is_refused(client_as):
    client = client_as("admin")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_login_does_not_redirect_off_site(client, make_staff):
    user = make_staff("admin")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=https://evil.example.com/", data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_inactive_user_cannot_log_in(client, make_staff, db):
    user = make_staff("admin")
    user.active = False
    db.session.commit()
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token})
    assert client.get("/").status_code == 302
