"""The served OpenAPI description is valid OpenAPI 3, and real responses of the API conform to it."""
from __future__ import annotations

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

EN = "celex-32024L1760-en"
OB = "celex-32024L1760-en:art_8.par_2:1"


def _spec(client) -> dict:
    return yaml.safe_load(client.get("/api/openapi.yaml").get_data(as_text=True))


def test_openapi_file_is_valid(reader):
    validate(_spec(reader))


def _check(api: OpenAPI, client, method: str, url: str, **kwargs) -> int:
    resp = getattr(client, method)(url, **kwargs)
    path, _, query = url.partition("?")
    builder = EnvironBuilder(
        method=method.upper(), path=path, query_string=query, base_url="http://localhost/", **kwargs
    )
    api.validate_response(WerkzeugOpenAPIRequest(Request(builder.get_environ())), WerkzeugOpenAPIResponse(resp))
    return resp.status_code


def test_responses_match_the_description(client):
    api = OpenAPI.from_dict(_spec(client))
    cases = [("get", "/api/search?q=child+labour&sector=C13&modality=obligation", 200),
             ("get", "/api/search?q=kinderarbeid&kind=provision&language=nl", 200),
             ("get", "/api/search?q=%22unbalanced", 400),
             ("get", f"/api/documents/{EN}", 200), ("get", f"/api/documents/{EN}?provisions=0", 200),
             ("get", "/api/documents/nope", 404),
             ("get", f"/api/provisions/{EN}/art_8.par_2", 200), ("get", f"/api/provisions/{EN}/nope", 404),
             ("get", f"/api/obligations/{OB}", 200), ("get", "/api/obligations/nope", 404),
             ("get", "/api/export?q=child+labour&format=json", 200)]
    for method, url, status in cases:
        assert _check(api, client, method, url) == status, url
    assert _check(api, client, "post", "/api/analyze", json={"text": ""}) == 400
