#!/usr/bin/env python3
"""A minimal UserHero Embedded Portal, in Python's standard library only.

It serves, over HTTPS:
  /portal.js             the SDK (portal.js next to this file)
  /embed?pk=KEY&theme=J  the portal document shown in the iframe (+ /embed.js, /embed.css)
  POST /api/v1/handshake {"publicKey","user","userHmac"}: verifies the HMAC over the
                         exact user string, answers a session token
  GET /api/v1/tickets[/ID]  the session's own tickets (Authorization: Bearer TOKEN)
  POST /_provider/state  Pact-style provider states, for portalcheck (X-Provider-State-Token)

Everything lives in memory. Run it with:
  MINIMAL_PORTAL_PROVIDER_TOKEN=... python3 portal.py --cert leaf.pem --key leaf-key.pem --port 8443
See README.md. Where the contract leaves a choice, this portal deliberately chooses
differently from portalcheck's reference portal; CONTRACT-GAPS.md lists those choices.
"""

import argparse
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_ENV = "MINIMAL_PORTAL_PROVIDER_TOKEN"

# The HTTP status of each handshake refusal. The contract asks only for a 4xx answer
# whose JSON `error` names the reason; these differ from the reference on purpose (G3).
REFUSAL_STATUS = {
    "malformed_hmac": 422,
    "invalid_payload": 422,
    "unknown_public_key": 401,
    "origin_not_allowed": 403,
    "invalid_signature": 401,
    "expired": 401,
}
MAX_LIFETIME = 24 * 60 * 60  # the furthest expiresAt may lie ahead
MAX_BODY = 1 << 20
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
IDENTIFIERS = ("externalUserId", "email", "phone")

THEME_VARIABLES = ("--uh-brand-color", "--uh-text-color", "--uh-background",
                   "--uh-font-family", "--uh-radius")
THEME_FUNCTIONS = ("rgb", "rgba", "hsl", "hsla", "calc")
THEME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 #,.%-+*()\"'")
THEME_MAX_LEN = 200
CSS_FUNCTION = re.compile(r"([A-Za-z0-9_-]*)\s*\(")
SAFE_ORIGIN = re.compile(r"https://[a-z0-9.-]+(:[0-9]{1,5})?")


class Refused(Exception):
    """A handshake refusal: `reason` is the machine-readable `error`."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason
        self.message = message


class Store:
    """Tenants, tickets and sessions, in memory, behind one lock."""

    def __init__(self, record=None):
        self.lock = threading.Lock()
        self.tenants = {}   # publicKey -> {"name", "secret", "origins"}
        self.tickets = []   # {"id", "tenant", "owner", "subject", "status", "createdAt"}
        self.sessions = {}  # token -> {"tenant", "owner", "expiresAt"}
        self.next_id = 1
        self.record = record  # file that learns every secret and token (for leak tests)

    def remember(self, kind, value):
        if self.record:
            with open(self.record, "a", encoding="utf-8") as f:
                f.write(f"{kind} {value}\n")


def owner_of(fields):
    """The identity a payload or a provider-state user names: its first identifier."""
    for key in IDENTIFIERS:
        if isinstance(fields.get(key), str) and fields[key]:
            return key + ":" + fields[key]
    return None


# ------------------------------------------------------------------ the handshake

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def strict_object(pairs):
    """A JSON object whose member names are all distinct (I-JSON, RFC 7493)."""
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("a member name is repeated")
    return dict(pairs)


def refuse_constant(name):
    raise ValueError(name + " is not JSON")


def user_text(value):
    """Every string in a decoded payload, names included, joined for one scan."""
    if isinstance(value, dict):
        return "".join(k + user_text(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(user_text(v) for v in value)
    return value if isinstance(value, str) else ""


def verify_payload(user, now):
    """The signed user string as a payload, or Refused(invalid_payload / expired)."""
    try:
        payload = json.loads(user, object_pairs_hook=strict_object, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        raise Refused("invalid_payload", "the user string is not strict JSON")
    if LONE_SURROGATE.search(user_text(payload)):
        raise Refused("invalid_payload", "the user string holds a lone surrogate escape")
    if not isinstance(payload, dict):
        raise Refused("invalid_payload", "the user string is not a JSON object")
    for key in IDENTIFIERS:
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise Refused("invalid_payload", key + " must be a string")
    if owner_of(payload) is None:
        raise Refused("invalid_payload", "the payload needs a non-empty externalUserId, email or phone")
    expires = payload.get("expiresAt")
    if type(expires) is not int or not 0 <= expires <= 2 ** 53:
        raise Refused("invalid_payload", "expiresAt must be an integer number of unix seconds")
    if expires - now > MAX_LIFETIME:
        raise Refused("invalid_payload", "expiresAt is more than 24 hours ahead")
    if expires <= now:
        raise Refused("expired", "expiresAt is not in the future")
    return payload


def handshake(store, body, origin):
    """Verify a handshake body sent from `origin` (the browser's Origin header)."""
    try:
        request = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused("invalid_payload", "the request body is not JSON")
    if not isinstance(request, dict) or not isinstance(request.get("publicKey"), str):
        raise Refused("invalid_payload", "publicKey is missing")
    with store.lock:
        tenant = store.tenants.get(request["publicKey"])
        tenant = dict(tenant) if tenant else None
    if tenant is None:
        raise Refused("unknown_public_key", "no tenant has this public key")
    if origin not in tenant["origins"]:  # exact scheme, host and port; never a body field
        raise Refused("origin_not_allowed", "this page's origin is not in the allowed origins")
    user, given = request.get("user"), request.get("userHmac")
    if not isinstance(given, str) or not HEX64.fullmatch(given):
        raise Refused("malformed_hmac", "userHmac must be 64 hexadecimal digits")
    if not isinstance(user, str):
        raise Refused("invalid_payload", "user must be the signed JSON string")
    message = user.encode("utf-8", "surrogatepass")  # the exact string received, never re-serialized
    expected = hmac.new(tenant["secret"].encode("utf-8"), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise Refused("invalid_signature", "the HMAC does not match the user string")
    now = time.time()
    payload = verify_payload(user, now)
    token = secrets.token_urlsafe(32)
    with store.lock:
        for old in [t for t, v in store.sessions.items() if v["expiresAt"] < now - 3600]:
            del store.sessions[old]  # long expired: forget it
        store.sessions[token] = {"tenant": request["publicKey"], "owner": owner_of(payload),
                                 "expiresAt": payload["expiresAt"]}
    store.remember("session-token", token)
    return {"expiresAt": payload["expiresAt"], "sessionToken": token, "tokenType": "Bearer",
            "ttl": round(payload["expiresAt"] - now, 3)}


# ------------------------------------------------------------------ theming and the embed view

def clean_theme(raw):
    """The allowlisted variables whose values are safe; everything else is dropped silently."""
    try:
        theme = json.loads(raw) if raw else {}
    except (ValueError, RecursionError):
        return {}
    if not isinstance(theme, dict):
        return {}
    kept = {}
    for name, value in theme.items():
        if name not in THEME_VARIABLES or not isinstance(value, str):
            continue
        value = value.strip()
        depth, balanced = 0, True
        for c in value:
            depth += (c == "(") - (c == ")")
            balanced = balanced and depth >= 0
        if (value and len(value) <= THEME_MAX_LEN and set(value) <= THEME_CHARS
                and balanced and depth == 0
                and value.count('"') % 2 == 0 and value.count("'") % 2 == 0
                and all(f.lower() in THEME_FUNCTIONS for f in CSS_FUNCTION.findall(value))):
            kept[name] = value
    return kept


def frame_ancestors(origins):
    safe = [o for o in origins if SAFE_ORIGIN.fullmatch(o)]
    return " ".join(safe) if safe else "'none'"


def page(title, body, head=""):
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>{head}</head><body>{body}</body></html>").encode()


def error_view(text):
    return page("Support unavailable", f"<p>{html.escape(text)}</p>")


def embed_view(tenant, theme):
    nonce = secrets.token_urlsafe(16)
    rules = "".join(f":root{{{name}:{value}}}\n" for name, value in theme.items())
    head = ("<link rel=\"stylesheet\" href=\"/embed.css\">"
            f"<style nonce=\"{nonce}\">{rules}</style>"
            "<script src=\"/embed.js\" defer></script>")
    origins = html.escape(json.dumps(tenant["origins"]))
    body = (f"<main id=\"portal\" data-origins=\"{origins}\"><h1>Support</h1>"
            "<p id=\"status\">Waiting for sign-in…</p><ul id=\"tickets\"></ul></main>")
    return page("Support", body, head=head), nonce


# ------------------------------------------------------------------ provider states

def provider_state(store, state, params):
    """Apply one provider state; returns (status, answer JSON or None for no body)."""
    if not isinstance(params, dict):
        raise ValueError("params must be an object")
    with store.lock:
        if state == "tenant exists":
            key, secret, origins = params["publicKey"], params["secret"], params["allowedOrigins"]
            if not (isinstance(key, str) and isinstance(secret, str) and isinstance(origins, list)
                    and all(isinstance(o, str) for o in origins)):
                raise ValueError("publicKey, secret and allowedOrigins (strings) are required")
            store.tenants[key] = {"name": params.get("tenant", key), "secret": secret, "origins": origins}
            store.tickets = [t for t in store.tickets if t["tenant"] != key]
            secret_to_record = secret
            answer = (201, {"publicKey": key})
        elif state == "user has ticket":
            key, owner = params.get("publicKey"), owner_of(params)
            if key not in store.tenants or owner is None:
                raise ValueError("a known publicKey and an identifier are required")
            ticket = {"id": store.next_id, "tenant": key, "owner": owner,
                      "subject": str(params.get("subject", "Help")), "status": "open",
                      "createdAt": int(time.time())}
            store.next_id += 1
            store.tickets.append(ticket)
            secret_to_record = None
            answer = (201, {"ticketId": ticket["id"]})
        elif state == "secret rotated":
            key, secret = params.get("publicKey"), params.get("newSecret")
            if key not in store.tenants or not isinstance(secret, str):
                raise ValueError("a known publicKey and newSecret are required")
            store.tenants[key]["secret"] = secret  # the old one is refused from now on
            secret_to_record = secret
            answer = (204, None)
        else:
            raise ValueError("unsupported provider state: " + str(state))
    if secret_to_record:
        store.remember("secret", secret_to_record)
    return answer


# ------------------------------------------------------------------ HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "minimal-portal/0.1"
    timeout = 60           # idle keep-alive connections are closed
    store = None           # set by main()
    origin = None          # this portal's own origin
    provider_token = None

    def log_message(self, *args):
        if os.environ.get("MINIMAL_PORTAL_VERBOSE"):
            super().log_message(*args)

    def send(self, status, body, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, value, headers=()):
        body = json.dumps(value).encode()
        self.send(status, body, "application/json", [("Cache-Control", "no-store"), *headers])

    def send_html(self, status, body, ancestors, nonce=None):
        styles = f"'self' 'nonce-{nonce}'" if nonce else "'none'"
        csp = (f"default-src 'none'; script-src 'self'; style-src {styles}; connect-src 'self'; "
               f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")
        self.send(status, body, "text/html; charset=utf-8",
                  [("Content-Security-Policy", csp), ("Cache-Control", "no-store"),
                   ("Referrer-Policy", "no-referrer")])

    def send_asset(self, name, content_type):
        with open(os.path.join(HERE, name), "rb") as f:
            body = f.read()
        if name == "portal.js":
            body = body.replace(b"__PORTAL_ORIGIN__", json.dumps(self.origin).encode())
        self.send(200, body, content_type, [("Cache-Control", "no-cache")])

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length).decode("utf-8", "replace")

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/portal.js":
            self.send_asset("portal.js", "text/javascript; charset=utf-8")
        elif url.path == "/embed.js":
            self.send_asset("embed.js", "text/javascript; charset=utf-8")
        elif url.path == "/embed.css":
            self.send_asset("embed.css", "text/css; charset=utf-8")
        elif url.path == "/embed":
            self.embed(parse_qs(url.query))
        elif url.path == "/api/v1/tickets" or url.path.startswith("/api/v1/tickets/"):
            self.tickets(url.path[len("/api/v1/tickets/"):] if url.path != "/api/v1/tickets" else None)
        else:
            self.send_json(404, {"error": "not_found"})

    def embed(self, query):
        key = (query.get("pk") or [""])[0]
        if not key:
            return self.send_html(400, error_view("The portal needs a public key."), "'none'")
        with self.store.lock:
            tenant = self.store.tenants.get(key)
            tenant = dict(tenant) if tenant else None
        if tenant is None:
            return self.send_html(404, error_view("Unknown public key."), "'none'")
        body, nonce = embed_view(tenant, clean_theme((query.get("theme") or [""])[0]))
        self.send_html(200, body, frame_ancestors(tenant["origins"]), nonce)

    def tickets(self, ticket_id):
        auth = self.headers.get("Authorization") or ""
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        with self.store.lock:
            session = self.store.sessions.get(token)
            own = session and [{k: t[k] for k in ("id", "subject", "status", "createdAt")}
                               for t in self.store.tickets
                               if t["tenant"] == session["tenant"] and t["owner"] == session["owner"]]
        if session is None:
            return self.send_json(401, {"error": "invalid_session"})
        if time.time() >= session["expiresAt"]:
            return self.send_json(401, {"error": "session_expired"})
        if ticket_id is None:
            return self.send_json(200, {"data": own, "count": len(own)})
        found = [t for t in own if str(t["id"]) == ticket_id]
        if found:
            return self.send_json(200, found[0])
        self.send_json(404, {"error": "not_found"})  # someone else's or no such ticket: the same answer

    def do_POST(self):
        path = urlsplit(self.path).path
        try:
            body = self.read_body()
        except ValueError:
            return self.send_json(413, {"error": "invalid_payload"}, self.cors())
        if path == "/api/v1/handshake":
            try:
                answer = handshake(self.store, body, self.headers.get("Origin"))
            except Refused as refusal:
                return self.send_json(REFUSAL_STATUS[refusal.reason],
                                      {"message": refusal.message, "error": refusal.reason},
                                      self.cors())
            return self.send_json(200, answer, self.cors())
        if path == "/_provider/state":
            given = self.headers.get("X-Provider-State-Token") or ""
            if not hmac.compare_digest(given.encode(), self.provider_token.encode()):
                return self.send_json(401, {"error": "provider_state_token"})
            try:
                request = json.loads(body)
                status, answer = provider_state(self.store, request.get("state"), request.get("params"))
            except (ValueError, KeyError, AttributeError, TypeError) as e:
                return self.send_json(400, {"error": "bad_provider_state", "message": str(e)})
            if answer is None:
                return self.send(status, b"", "text/plain")
            return self.send_json(status, answer)
        self.send_json(404, {"error": "not_found"})

    def cors(self):
        # The handshake needs no cookies: any page may read the answer, and the
        # allowlist is enforced above on the browser's Origin header (G6).
        return [("Access-Control-Allow-Origin", "*")]

    def do_OPTIONS(self):
        if urlsplit(self.path).path == "/api/v1/handshake":
            headers = self.cors() + [("Access-Control-Allow-Methods", "POST"),
                                     ("Access-Control-Allow-Headers", "Content-Type"),
                                     ("Access-Control-Max-Age", "600")]
            return self.send(204, b"", "text/plain", headers)
        self.send(204, b"", "text/plain")  # the ticket API is same-origin only: no CORS grant


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        if os.environ.get("MINIMAL_PORTAL_VERBOSE"):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cert", required=True, help="PEM certificate chain (leaf first)")
    parser.add_argument("--key", required=True, help="PEM private key of the leaf")
    parser.add_argument("--host", default="portal.minimal.test", help="the portal's host name")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0: any free port")
    parser.add_argument("--record-secrets", metavar="FILE",
                        help="append every secret and session token it handles to FILE (leak tests)")
    args = parser.parse_args()
    token = os.environ.get(TOKEN_ENV)
    if not token:
        sys.exit(f"set {TOKEN_ENV}: the provider-state endpoint needs a token")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.set_alpn_protocols(["http/1.1"])
    server = Server((args.bind, args.port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    port = server.server_address[1]
    Handler.store = Store(args.record_secrets)
    Handler.origin = f"https://{args.host}" + ("" if port == 443 else f":{port}")
    Handler.provider_token = token
    print(f"minimal portal listening on {Handler.origin} ({args.bind}:{port})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
