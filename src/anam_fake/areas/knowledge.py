"""Knowledge groups and their documents: created, listed, uploaded (multipart), processed and searched.

A document is PROCESSING for `account.document_processing_seconds` after its upload, then READY, or FAILED
when its name starts with "fail" or no text could be read from it (see documents.py). Only READY documents
are searched. A document's private fields (when it is done) start with "_" and are never sent.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from ..documents import FILE_TYPES, MAX_BYTES, extension, failure, passages, score, text_of
from ..formats import is_uuid, now_iso
from ..forms import Form
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems

if TYPE_CHECKING:
    from ..account import Account

GROUPS = "/v1/knowledge/groups"
DOCUMENTS = "/v1/knowledge/documents"
GROUP_KEYS: FieldTypes = {"name": str, "description": str}
SEARCH_KEYS: FieldTypes = {"query": str, "limit": int}
UPLOAD_FIELDS = ("chunkSize", "chunkOverlap")

routes = Routes()


def groups_of(account: Account) -> list[dict[str, Any]]:
    return account.catalogues.setdefault(GROUPS, [])


def documents_of(account: Account) -> list[dict[str, Any]]:
    return account.catalogues.setdefault(DOCUMENTS, [])


def validate_group_body(body: Any, *, update: bool = False) -> list[str]:
    """What the API would reject in a POST /v1/knowledge/groups body, or a PUT one with `update`."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, GROUP_KEYS)
    if not update and not (isinstance(body.get("name"), str) and body["name"].strip()):
        problems.append("name is required")
    return problems


def validate_search_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/knowledge/groups/{id}/search body."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, SEARCH_KEYS)
    if not (isinstance(body.get("query"), str) and body["query"].strip()):
        problems.append("query is required")
    limit = body.get("limit", 5)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 20:
        problems.append("limit must be a whole number from 1 to 20")
    return problems


def validate_upload(form: Any) -> list[str]:
    """What the API would reject in a document upload: a multipart form with one supported `file`."""
    if not isinstance(form, Form):
        return ["the body must be multipart/form-data with a file"]
    problems = [f"unknown field {name}" for name in form.fields if name not in UPLOAD_FIELDS]
    problems += [f"{name} must be a whole number" for name in UPLOAD_FIELDS if not form.fields.get(name, "1").isdigit()]
    problems += [f"unknown file field {name}" for name in form.files if name != "file"]
    file = form.files.get("file")
    if file is None:
        problems.append("file is required")
    elif extension(file.filename) not in FILE_TYPES:
        problems.append("Unsupported file type: PDF, TXT, MD, DOCX and CSV are supported")
    elif len(file.data) > MAX_BYTES:
        problems.append("the file is larger than 50MB")
    return problems


@routes.get(GROUPS)
def list_groups(account: Account, call: Call) -> Answer:
    return 200, [_group(account, group) for group in groups_of(account)], {}


@routes.post(GROUPS)
def create_group(account: Account, call: Call) -> Answer:
    problems = validate_group_body(call.body)
    if problems:
        return 400, error("Invalid data", "; ".join(problems)), {}
    now = now_iso()
    group = {"id": str(uuid.uuid4()), "name": call.body["name"], "description": call.body.get("description")}
    group |= {"createdAt": now, "updatedAt": now}
    with account.lock:
        groups_of(account).append(group)
    return 201, _group(account, group), {}


@routes.get(GROUPS + "/([^/]+)")
def get_group(account: Account, call: Call) -> Answer:
    group = _find(groups_of(account), call.params[0], "RAG group")
    return group if isinstance(group, tuple) else (200, _group(account, group), {})


@routes.put(GROUPS + "/([^/]+)")
def update_group(account: Account, call: Call) -> Answer:
    group = _find(groups_of(account), call.params[0], "RAG group")
    if isinstance(group, tuple):
        return group
    problems = validate_group_body(call.body, update=True)
    if problems:
        return 400, error("Invalid data", "; ".join(problems)), {}
    with account.lock:
        group.update({**call.body, "updatedAt": now_iso()})
    return 200, _group(account, group), {}


@routes.delete(GROUPS + "/([^/]+)")
def delete_group(account: Account, call: Call) -> Answer:
    """The group goes, and its documents with it."""
    group = _find(groups_of(account), call.params[0], "RAG group")
    if isinstance(group, tuple):
        return group
    with account.lock:
        groups_of(account).remove(group)
        documents_of(account)[:] = [d for d in documents_of(account) if d["knowledgeFolderId"] != group["id"]]
    return 204, None, {}


@routes.get(GROUPS + "/([^/]+)/documents")
def list_documents(account: Account, call: Call) -> Answer:
    group = _find(groups_of(account), call.params[0], "RAG group")
    if isinstance(group, tuple):
        return group
    return 200, [_document(account, d) for d in documents_of(account) if d["knowledgeFolderId"] == group["id"]], {}


@routes.post(GROUPS + "/([^/]+)/documents")
def upload_document(account: Account, call: Call) -> Answer:
    group = _find(groups_of(account), call.params[0], "RAG group")
    if isinstance(group, tuple):
        return group
    problems = validate_upload(call.body)
    if problems:
        return 400, error("Invalid file or parameters", "; ".join(problems)), {}
    file = call.body.files["file"]
    now = now_iso()
    document = {
        "id": str(uuid.uuid4()),
        "knowledgeFolderId": group["id"],
        "filename": file.filename,
        "fileType": FILE_TYPES[extension(file.filename)],
        "fileSize": len(file.data),
        "status": "PROCESSING",
        "errorMessage": None,
        "createdAt": now,
        "updatedAt": now,
        "_doneAt": time.monotonic() + account.document_processing_seconds,
    }
    document["fileUrl"] = f"https://cdn.anam.ai/knowledge/{document['id']}{extension(file.filename)}"
    with account.lock:
        account.document_texts[document["id"]] = text_of(file.filename, file.data)
        documents_of(account).append(document)
    return 201, _public(document), {}  # PROCESSING, however soon it is done


@routes.post(GROUPS + "/([^/]+)/search")
def search_group(account: Account, call: Call) -> Answer:
    """The passages of the group's READY documents sharing the most words with the query, best first."""
    group = _find(groups_of(account), call.params[0], "RAG group")
    if isinstance(group, tuple):
        return group
    problems = validate_search_body(call.body)
    if problems:
        return 400, error("Invalid search query", "; ".join(problems)), {}
    found = []
    for document in documents_of(account):
        if document["knowledgeFolderId"] != group["id"] or _document(account, document)["status"] != "READY":
            continue
        for index, passage in enumerate(passages(account.document_texts[document["id"]])):
            if (matched := score(call.body["query"], passage)) > 0:
                entry = {"documentId": document["id"], "filename": document["filename"], "content": passage}
                found.append(entry | {"score": round(matched, 4), "chunkIndex": index, "metadata": {}})
    found.sort(key=lambda entry: -entry["score"])
    return 200, found[: call.body.get("limit", 5)], {}


@routes.get(DOCUMENTS + "/([^/]+)")
def get_document(account: Account, call: Call) -> Answer:
    document = _find(documents_of(account), call.params[0], "Document")
    return document if isinstance(document, tuple) else (200, _document(account, document), {})


@routes.delete(DOCUMENTS + "/([^/]+)")
def delete_document(account: Account, call: Call) -> Answer:
    document = _find(documents_of(account), call.params[0], "Document")
    if isinstance(document, tuple):
        return document
    with account.lock:
        documents_of(account).remove(document)
        account.document_texts.pop(document["id"], None)
    return 204, None, {}


def _group(account: Account, group: dict[str, Any]) -> dict[str, Any]:
    count = sum(d["knowledgeFolderId"] == group["id"] for d in documents_of(account))
    return {**group, "documentCount": count}


def _document(account: Account, document: dict[str, Any]) -> dict[str, Any]:
    """The document as the API answers it, processed once its time has come."""
    if document["status"] == "PROCESSING" and time.monotonic() >= document["_doneAt"]:
        reason = failure(document["filename"], account.document_texts[document["id"]])
        with account.lock:
            document.update(status="FAILED" if reason else "READY", errorMessage=reason, updatedAt=now_iso())
    return _public(document)


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def _find(items: list[dict[str, Any]], wanted: str, what: str) -> dict[str, Any] | Answer:
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid ID"), {}
    found = next((item for item in items if item["id"] == wanted), None)
    if found is None:
        return 404, error("Not found", f"{what} not found"), {}
    return found
