"""Public routes of the doctor directory: search, a doctor's card and photo, the vocabularies.

No token is needed: only verified doctors and their public fields are shown.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.bootstrap import service
from chalicelib.directory import render_card, search_query
from chalicelib.vocabularies import SPECIALTIES, SPOKEN_LANGUAGES
from keneya.http import json_response, parse_query
from keneya.i18n import request_language
from keneya.openapi import operation

# Labels change only with a release of the service.
_VOCABULARY_CACHE = {"Cache-Control": "public, max-age=3600"}


def blueprint() -> Blueprint:
    directory = Blueprint(__name__)

    @directory.route("/specialties")
    @operation("The medical specialties of the directory", response=schemas.Vocabulary)
    def specialties() -> Response:
        lang = request_language(directory.current_request)
        return json_response(schemas.vocabulary(SPECIALTIES, lang), headers=_VOCABULARY_CACHE)

    @directory.route("/languages")
    @operation("The languages doctors consult in", response=schemas.Vocabulary)
    def languages() -> Response:
        lang = request_language(directory.current_request)
        return json_response(schemas.vocabulary(SPOKEN_LANGUAGES, lang), headers=_VOCABULARY_CACHE)

    @directory.route("/doctors")
    @operation(
        "Search verified doctors",
        query=schemas.DirectoryQuery,
        response=schemas.DirectoryPage,
        description="By specialty, language spoken, city, prefix of any word of the name, fee "
        "range (XOF). Ordered by name; pass next_cursor as cursor for the next page. A page may "
        "hold fewer doctors than limit, even none, and still give a next_cursor: the search "
        "stopped reading to answer fast; only a null next_cursor ends the results.",
    )
    def search_doctors() -> Response:
        given = parse_query(schemas.DirectoryQuery, directory.current_request)
        query = search_query(**given.model_dump())
        page = service().search(query)
        lang = request_language(directory.current_request)
        return json_response(
            {
                "items": [render_card(card, lang) for card in page.cards],
                "next_cursor": page.next_cursor,
            },
            headers={"Content-Language": lang},
        )

    @directory.route("/doctors/{doctor_id}")
    @operation("A verified doctor's public profile", response=schemas.DoctorPublic, errors=(404,))
    def public_doctor(doctor_id: str) -> Response:
        profile = service().listed_doctor(schemas.checked_id(doctor_id))
        return json_response(
            schemas.public_doctor(profile, request_language(directory.current_request))
        )

    @directory.route("/doctors/{doctor_id}/photo")
    @operation("A verified doctor's photo (a redirect)", status=302, errors=(404,))
    def doctor_photo(doctor_id: str) -> Response:
        url = service().photo_url(schemas.checked_id(doctor_id))
        # The redirect target expires; the address of the photo changes when the photo does.
        return Response(
            body="", status_code=302, headers={"Location": url, "Cache-Control": "max-age=240"}
        )

    return directory
