"""Airflow 3 plugin: the TrendMiner daily reports in the Airflow UI.

Mounts the reports app (``trendminer.orchestration.reports_app``) on the api-server at
``/trendminer-reports`` behind Airflow's own login, and adds *Browse → Trend reports*, which
shows the list of report days inside the UI; each day opens its ``index.html``.
"""

from __future__ import annotations

from airflow.api_fastapi.core_api.security import requires_authenticated
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends

from trendminer.orchestration.reports_app import create_app

URL_PREFIX = "/trendminer-reports"


class TrendMinerReportsPlugin(AirflowPlugin):
    """The reports page and its menu entry."""

    name = "trendminer_reports"
    fastapi_apps = [  # noqa: RUF012  # Airflow reads these class attributes
        {
            "app": create_app(dependencies=[Depends(requires_authenticated())]),
            "url_prefix": URL_PREFIX,
            "name": "TrendMiner reports",
        }
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "Trend reports",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "category": "browse",
            "url_route": "trendminer-reports",
        }
    ]
