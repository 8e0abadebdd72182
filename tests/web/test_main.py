"""Health check, home page, error pages and membership gates."""

from __future__ import annotations

from typing import Any

from flask import Flask

from auditapp.models import User


def test_healthz_reports_database_ok_without_sign_in(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_503_when_database_unreachable(app: Flask) -> None:
    from auditapp import create_app
    from config import TestConfig

    class Broken(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:1/none"
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"connect_timeout": 1}}

    broken = create_app(Broken)
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_home_lists_only_my_inspections(
    login_as: Any, auditor: User, other_inspection: Any
) -> None:
    page = login_as(auditor).get("/").get_data(as_text=True)
    assert "Review 2022" in page
    assert other_inspection.title not in page
    assert "Auditor" in page


def test_member_sees_inspection_page(login_as: Any, observer: User, inspection: Any) -> None:
    response = login_as(observer).get(f"/inspections/{inspection.id}")
    assert response.status_code == 200
    assert inspection.title in response.get_data(as_text=True)


def test_non_member_gets_404_for_another_inspection(
    login_as: Any, outsider: User, inspection: Any, other_inspection: Any
) -> None:
    c = login_as(outsider)
    assert c.get(f"/inspections/{other_inspection.id}").status_code == 200
    response = c.get(f"/inspections/{inspection.id}")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_admin_sees_any_inspection_and_admin_pages(
    login_as: Any, admin: User, inspection: Any
) -> None:
    c = login_as(admin)
    assert c.get(f"/inspections/{inspection.id}").status_code == 200
    assert c.get("/admin/").status_code == 200


def test_non_admin_gets_403_on_admin_pages(login_as: Any, lead: User) -> None:
    response = login_as(lead).get("/admin/")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_pages_use_service_name_without_crown(login_as: Any, auditor: User) -> None:
    page = login_as(auditor).get("/").get_data(as_text=True)
    assert "auditapp" in page
    assert "govuk-logo" not in page and "crown" not in page.lower()


def test_unknown_page_is_404_in_service_style(client: Any) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_home_links_each_inspection_as_a_real_link(
    login_as: Any, auditor: User, inspection: Any
) -> None:
    page = login_as(auditor).get("/").get_data(as_text=True)
    assert f'href="/inspections/{inspection.id}">Review 2022</a>' in page
    assert "&lt;a" not in page
