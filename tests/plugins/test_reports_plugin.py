"""The reports app lists and serves report folders; Airflow loads the plugin that mounts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trendminer.orchestration.reports_app import create_app, report_days


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    for day, posts in (("2026-06-02", 7), ("2026-06-03", 12)):
        folder = root / day
        (folder / "crops").mkdir(parents=True)
        (folder / "index.html").write_text(f"<html><title>report {day}</title></html>")
        (folder / "activity.png").write_bytes(b"\x89PNG fake")
        (folder / "crops" / "event1-1.jpg").write_bytes(b"jpeg")
        summary = {"empty": False, "posts": {"day": posts}, "peaks_total": 2, "events": [{}]}
        (folder / "summary.json").write_text(json.dumps(summary))
    (root / "notes").mkdir()
    (root / "2026-06-04").mkdir()  # no index.html yet: not listed
    (tmp_path / "secret.txt").write_text("not a report")
    return root


@pytest.fixture
def client(reports: Path) -> TestClient:
    return TestClient(create_app(lambda: reports), root_path="/trendminer-reports")


def test_report_days_are_the_dated_folders_with_a_page(reports: Path) -> None:
    assert [d.isoformat() for d in report_days(reports)] == ["2026-06-03", "2026-06-02"]


def test_the_list_links_every_report_newest_first(client: TestClient) -> None:
    page = client.get("/").text
    assert page.index("2026-06-03") < page.index("2026-06-02")
    assert 'href="/trendminer-reports/2026-06-03/"' in page
    assert "12 posts · 2 peak days · 1 events" in page
    assert "notes" not in page
    assert "2026-06-04" not in page


def test_a_report_and_its_files_are_served(client: TestClient) -> None:
    redirect = client.get("/2026-06-03", follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "2026-06-03/"
    page = client.get("/2026-06-03/")
    assert page.status_code == 200
    assert "report 2026-06-03" in page.text
    assert client.get("/2026-06-03/activity.png").content == b"\x89PNG fake"
    assert client.get("/2026-06-03/crops/event1-1.jpg").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/2026-06-03/../secret.txt",
        "/2026-06-03/%2e%2e/%2e%2e/secret.txt",
        "/2026-06-03/..%2f..%2fsecret.txt",
        "/2026-06-03/.hidden",
        "/2026-06-03/missing.png",
        "/notes/",
        "/2026-06-04/",
        "/2026-13-01/",
    ],
)
def test_nothing_outside_a_report_folder_is_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_app_reads_the_report_folder_the_tasks_write_to(
    reports: Path, airflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the trendminer_settings variable (here from the environment) names the folder
    monkeypatch.setenv("AIRFLOW_VAR_TRENDMINER_SETTINGS", json.dumps({"report_dir": str(reports)}))
    monkeypatch.delenv("TRENDMINER_REPORT_DIR", raising=False)
    page = TestClient(create_app()).get("/").text
    assert 'href="/2026-06-03/"' in page


def test_airflow_loads_the_plugin(airflow_home: Path) -> None:
    from airflow import plugins_manager

    plugins, import_errors = plugins_manager._get_plugins()
    assert import_errors == {}
    plugin = next(p for p in plugins if p.name == "trendminer_reports")
    (app,) = plugin.fastapi_apps
    assert app["url_prefix"] == "/trendminer-reports"
    (view,) = plugin.external_views
    assert view["href"] == "/trendminer-reports/"
    assert view["category"] == "browse"
    assert view["url_route"] == "trendminer-reports"
    # mounted behind Airflow's login: no token, no reports
    assert TestClient(app["app"]).get("/").status_code in {401, 403}
