"""Staff accounts: invitations and resets by one-time link, disabling, scoped tokens, TOTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select, text, update
from staffkit import PASSWORD, csrf_in, make_user, sign_in, token_for

from webapp import services
from webapp.catalog.models import ApiToken, Invite, User, utcnow

from factories import make_show

LINK = re.compile(r'id="one-time-link">http://[^/]+(/staff/invite/[^<]+)<')


def admin_client(app):
    make_user(app, "admin@example.org")  # the first account: the admin
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


def post_form(client, page, action, **fields):
    return client.post(action, data={"csrf_token": token_for(client, page), **fields})


def set_password(app, path, password):
    stranger = app.test_client()
    page = stranger.get(path)
    assert page.status_code == 200
    form = {"csrf_token": csrf_in(page.get_data(as_text=True)), "password": password,
            "confirm": password}  # fmt: skip
    return stranger.post(path, data=form)


def test_an_invitation_link_makes_an_account_with_its_role_once(app):
    make_show(app)
    admin = admin_client(app)
    answer = post_form(admin, "/staff/users/", "/staff/users/invite",
                       email="New@Example.org", show="talks", role="contributor")  # fmt: skip
    assert answer.status_code == 200
    path = LINK.search(answer.get_data(as_text=True)).group(1)
    with services.session_factory(app)() as session:
        stored = session.scalar(select(Invite))
        assert path.rsplit("/", 1)[1] not in stored.token_hash  # only its hash is kept

    assert set_password(app, path, "a brand new password").status_code == 302
    member = app.test_client()
    assert sign_in(member, "new@example.org", "a brand new password").status_code == 302
    assert member.get("/staff/episodes/new").status_code == 200  # contributor of talks
    assert member.get("/staff/shows/talks/edit").status_code == 403  # not an editor
    assert app.test_client().get(path).status_code == 410  # used once


def test_an_expired_invitation_is_refused(app):
    admin = admin_client(app)
    answer = post_form(admin, "/staff/users/", "/staff/users/invite", email="late@example.org")
    path = LINK.search(answer.get_data(as_text=True)).group(1)
    with services.work(app) as session:
        session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert app.test_client().get(path).status_code == 410


def test_disabling_stops_sign_in_sessions_and_tokens_but_not_the_last_admin(app):
    admin = admin_client(app)
    make_user(app, "member@example.org")
    member = app.test_client()
    assert sign_in(member, "member@example.org").status_code == 302
    with services.session_factory(app)() as session:
        member_id = session.scalar(select(User.id).where(User.email == "member@example.org"))
        admin_id = session.scalar(select(User.id).where(User.email == "admin@example.org"))
    answer = post_form(admin, "/staff/users/", f"/staff/users/{member_id}/active", active="0")
    assert answer.status_code == 302
    assert member.get("/staff/account/").status_code == 302  # sent to sign in
    assert sign_in(app.test_client(), "member@example.org").status_code == 401

    refused = post_form(admin, "/staff/users/", f"/staff/users/{admin_id}/active", active="0")
    assert refused.status_code == 400
    assert "last active admin" in refused.get_data(as_text=True)


def test_a_reset_link_replaces_the_password(app):
    admin = admin_client(app)
    make_user(app, "member@example.org")
    with services.session_factory(app)() as session:
        member_id = session.scalar(select(User.id).where(User.email == "member@example.org"))
    answer = post_form(admin, "/staff/users/", f"/staff/users/{member_id}/reset")
    path = LINK.search(answer.get_data(as_text=True)).group(1)
    assert set_password(app, path, "another long password").status_code == 302
    assert sign_in(app.test_client(), "member@example.org", PASSWORD).status_code == 401
    assert (
        sign_in(app.test_client(), "member@example.org", "another long password").status_code == 302
    )


def make_token_in_browser(client, **fields):
    answer = post_form(client, "/staff/account/", "/staff/account/tokens", **fields)
    assert answer.status_code == 200
    return re.search(r'id="new-token">([^<]+)<', answer.get_data(as_text=True)).group(1)


def test_tokens_are_scoped_by_access_and_show_expire_and_revoke(app):
    make_show(app)
    make_show(app, slug="other", title="Other talks")
    admin = admin_client(app)
    token = make_token_in_browser(admin, label="reader", scope="read", show="talks", days="30")
    with services.session_factory(app)() as session:
        stored = " ".join(
            " ".join(str(v) for v in row)
            for row in session.execute(text("SELECT * FROM api_tokens"))
        )
    assert token not in stored

    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/shows/talks", headers=auth).status_code == 200
    assert api.get("/api/v1/shows/other", headers=auth).status_code == 403  # another show
    assert api.patch("/api/v1/shows/talks", json={"title": "X"}, headers=auth).status_code == 403

    with services.work(app) as session:
        session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert api.get("/api/v1/shows/talks", headers=auth).status_code == 401

    writer = make_token_in_browser(admin, label="writer", scope="write")
    auth = {"Authorization": f"Bearer {writer}"}
    assert (
        api.patch("/api/v1/shows/other", json={"title": "Other"}, headers=auth).status_code == 200
    )
    with services.session_factory(app)() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.label == "writer"))
    assert (
        post_form(admin, "/staff/account/", f"/staff/account/tokens/{token_id}/revoke").status_code
        == 302
    )
    assert api.get("/api/v1/shows", headers=auth).status_code == 401


def test_two_factor_sign_in_with_app_codes_and_single_use_recovery_codes(app):
    admin = admin_client(app)
    assert post_form(admin, "/staff/account/", "/staff/account/two-factor/start").status_code == 302
    secret = re.search(
        r'id="totp-secret">([A-Z2-7]+)<', admin.get("/staff/account/").get_data(as_text=True)
    ).group(1)
    wrong = post_form(admin, "/staff/account/", "/staff/account/two-factor/confirm", code="000000")
    assert wrong.status_code == 400
    answer = post_form(admin, "/staff/account/", "/staff/account/two-factor/confirm",
                       code=pyotp.TOTP(secret).now())  # fmt: skip
    assert answer.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]+)</code></li>", answer.get_data(as_text=True))
    assert len(codes) == 10

    browser = app.test_client()
    step = sign_in(browser, "admin@example.org")
    assert step.status_code == 302 and "/staff/login/code" in step.headers["Location"]
    assert browser.get("/staff/").status_code == 302  # not signed in yet
    assert (
        post_form(browser, "/staff/login/code", "/staff/login/code", code="123456").status_code
        == 401
    )
    assert post_form(browser, "/staff/login/code", "/staff/login/code",
                     code=pyotp.TOTP(secret).now()).status_code == 302  # fmt: skip
    assert browser.get("/staff/").status_code == 200

    for expected in (302, 401):  # a recovery code works once
        other = app.test_client()
        sign_in(other, "admin@example.org")
        answer = post_form(other, "/staff/login/code", "/staff/login/code", code=codes[0])
        assert answer.status_code == expected
