"""Every GET URL of the app's URL map with real ids filled in, for the walks of the attack suite.

Each ``any(...)`` choice is walked (e.g. every export kind in every format); other arguments take the
ids given (or a plain 1). New routes are walked without any change here.
"""
from __future__ import annotations

from itertools import product


def _values(name: str, converter, ids: dict[str, object]) -> list:
    from werkzeug.routing.converters import AnyConverter

    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    return {"account_pk": [ids.get("account", 1)], "account_id": [ids.get("account", 1)],
            "contact_id": [ids.get("contact", 1)], "run_id": [ids.get("run", 1)],
            "campaign_id": [ids.get("campaign", 1)],
            "endpoint_id": [ids.get("endpoint", 1)], "delivery_id": [ids.get("delivery", 1)], "slug": ids.get("slugs", ["b2b_relationship"]),
            "page": [0], "item": [0], "index": [0], "user_id": [1], "kind": ["contacts"],
            "name": ["security", "imports"], "rest": ["x"], "filename": ["css/vocapp.css"]}.get(name, [1])


def get_urls(app, ids: dict[str, object], skip: set[str] = frozenset()) -> list[str]:
    """Every GET URL of the URL map (static files and the endpoints in ``skip`` left out)."""
    from flask import url_for

    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint in skip:
            continue
        names = list(rule._converters)
        for combination in product(*(_values(name, rule._converters[name], ids) for name in names)):
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **dict(zip(names, combination))))
    return urls


def fetch(client, url: str):
    """GET ``url`` and read the whole body before returning (a streamed export's generator must finish
    in its own request): (response, body bytes)."""
    response = client.get(url)
    data = response.get_data()
    response.close()
    return response, data
