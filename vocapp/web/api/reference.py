"""The API's own description, public like any API reference: the OpenAPI document and a page made from
it on the server (no script, nothing from another site)."""
from __future__ import annotations

import orjson
from flask import Response, render_template

from vocapp.web.api.routes import bp


@bp.route("/v1/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document, generated from the routes and their schemas."""
    from vocapp.web.api.openapi import document

    return Response(orjson.dumps(document()), mimetype="application/json")


@bp.route("/v1/reference")
def reference():
    """Every operation and schema of the API, readable without any tool."""
    from vocapp.web.api.openapi import document

    spec = document()
    return render_template("api/reference.html", spec=spec, schemas=spec["components"]["schemas"])
