"""The sign-in page's HTML: one small server-rendered form, no script, light and dark, readable on a phone.

Every value shown is escaped here, the client's self-chosen name above all; the page names the host the
person returns to, which the client cannot choose freely. The style sheet carries the response's nonce.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal

__all__ = ["Asking", "Form", "error_page", "sign_in_page"]

Asking = Literal["anam key", "team token"]

_STYLE = """
:root{color-scheme:light dark;--bg:#f5f5f8;--card:#fff;--text:#17171f;--muted:#5b5b6b;--line:#d8d8e2;
--accent:#5535e8;--on-accent:#fff;--error-bg:#fdeced;--error:#9f1a1d}
@media (prefers-color-scheme:dark){:root{--bg:#101015;--card:#1b1b23;--text:#ededf2;--muted:#a6a6b6;
--line:#353541;--accent:#8f7bff;--on-accent:#0d0d12;--error-bg:#3b1518;--error:#ffb8b8}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:16px;
background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:430px;background:var(--card);border:1px solid var(--line);border-radius:14px;
padding:28px 24px}
h1{font-size:1.35rem;margin:0 0 8px}
p{margin:0 0 16px;color:var(--muted)}
strong{color:var(--text)}
label{display:block;font-weight:600;margin-bottom:6px}
input[type=password]{width:100%;font:inherit;padding:12px;border-radius:10px;border:1px solid var(--line);
background:transparent;color:var(--text)}
input:focus,button:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
.hint{font-size:.9rem;margin:8px 0 0}
.error{background:var(--error-bg);color:var(--error);border-radius:10px;padding:10px 12px}
.actions{display:flex;flex-direction:row-reverse;gap:10px;margin-top:22px}
button{flex:1;font:inherit;font-weight:600;padding:12px;border-radius:10px;border:1px solid var(--line);
background:transparent;color:var(--text);cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:var(--on-accent)}
a{color:var(--accent)}
footer{font-size:.82rem;margin-top:18px;color:var(--muted)}
"""


@dataclass(frozen=True, slots=True)
class Form:
    """What the sign-in form shows and carries."""

    client_name: str | None
    returns_to: str  # the redirect URI's host (and port), which the client registered
    asking: Asking
    request: str  # the sealed sign-in request
    csrf: str
    error: str | None = None


def _document(title: str, body: str, nonce: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
<title>{escape(title)}</title>
<style nonce="{escape(nonce)}">{_STYLE}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def sign_in_page(form: Form, nonce: str) -> str:
    """The form: who asks and where the person returns to, the one field, Allow and Cancel."""
    client = escape(form.client_name or "An app")
    host = escape(form.returns_to)
    if form.asking == "anam key":
        whose, label = "your Anam account", "Anam API key"
        hint = (
            'Find it in <a href="https://lab.anam.ai" target="_blank" rel="noopener noreferrer">Anam Lab</a> '
            "&rarr; API keys. It is checked with Anam and kept encrypted; the assistant never sees it."
        )
    else:
        whose, label = "this server's Anam account", "Access token"
        hint = "Ask whoever runs this server for one of its access tokens. The assistant never sees it."
    error = f'<p class="error" role="alert">{escape(form.error)}</p>\n' if form.error else ""
    body = f"""<h1>Sign in to Anam</h1>
<p><strong>{client}</strong> ({host}) wants to use {whose}.</p>
{error}<form method="post" action="/sign-in" autocomplete="off">
<input type="hidden" name="request" value="{escape(form.request)}">
<input type="hidden" name="csrf" value="{escape(form.csrf)}">
<label for="key">{label}</label>
<input id="key" name="key" type="password" required autofocus spellcheck="false" autocapitalize="off">
<p class="hint">{hint}</p>
<div class="actions">
<button class="primary" type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny" formnovalidate>Cancel</button>
</div>
</form>
<footer>You will return to {host}.</footer>"""
    return _document("Sign in to Anam", body, nonce)


def error_page(title: str, message: str, nonce: str) -> str:
    """A page that stops the sign-in, saying why and what to do."""
    return _document(title, f"<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>", nonce)
