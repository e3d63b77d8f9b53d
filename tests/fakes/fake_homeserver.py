#!/usr/bin/env python3
"""fake_homeserver: a small Matrix homeserver for tests, written from the client-server
spec v3. One bot account, rooms in memory, a real long-polling /sync that wakes when a test
injects an event, send with per-device txn de-duplication, and fault injection. Test-only
control endpoints live outside /_matrix. Not a federation server; no E2EE, no media.

  fake_homeserver.py --port 0 --port-file F --token TOKEN --user @bot:localhost
                     [--password PW] [--device FRUGAL] [--keep-requests N]

  --keep-requests N  /_requests and /_sent hold only the newest N entries (0, the
                     default, keeps all); /_counts still counts everything.

Control (JSON bodies):
  POST /_inject  {room, sender, body, msgtype?, mentions?, formatted_body?, display?}
                 → {"event_id"}
  POST /_room    {room, members:[user ids], alias?}  create a room / add members; alias
                 (#name:server) is published in the room directory
  POST /_invite  {room, inviter, is_direct?}      invite the bot
  POST /_leave   {room, user}                     a member leaves (m.room.member leave)
  POST /_encrypt {room}                           send m.room.encryption into the room
  POST /_reset   {}                              forget everything (shared test server)
  POST /_fault   {kind, count?, path_prefix?, ms?, method?}
        kind: 429_ms | 429_header | 401 | 502 | hang | drop | truncated
  GET  /_sent     events the bot sent, in order   GET /_state   rooms, joins, leaves
  GET  /_requests every /_matrix request: method, raw path, auth style, time
  GET  /_faults   faults not yet consumed
  GET  /_counts   {"sent": n, "requests": n} since start or /_reset
"""
import argparse
import collections
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

V3 = "/_matrix/client/v3"


def now_ms():
    return int(time.time() * 1000)


class World:
    def __init__(self, bot, token, password, device, keep=0):
        self.keep = keep
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        self.bot = bot
        self.password = password
        self.initial = (token, device)
        self.generation = 0
        with self.cond:
            self.reset()

    def reset(self):
        """Back to a fresh server (tests share one process); waiting long-polls wake up.
        Connections opened before the reset are closed unanswered from now on, so a late
        request from a previous test's client cannot leak into the new world."""
        self.generation += 1
        self.tokens = {self.initial[0]: self.initial[1]}
        self.stream = []  # {"pos", "kind": "event"|"invite", "room", "event", "visible"}
        self.pos = 0
        self.rooms = {}  # id -> {"members": {user: display}, "encrypted": bool}
        self.aliases = {}  # "#name:server" -> room id (GET /directory/room/{alias})
        self.joined = set()
        self.invites = {}  # room -> {"inviter", "is_direct"}
        self.left = []
        self.filters = {}
        self.txns = {}
        self.sent = collections.deque(maxlen=self.keep or None)
        self.faults = []
        self.requests = collections.deque(maxlen=self.keep or None)
        self.sent_total = 0
        self.requests_total = 0
        self.counter = 0
        self.cond.notify_all()

    # All methods below run with self.cond held.
    def new_id(self, prefix):
        self.counter += 1
        return "%s%d:localhost" % (prefix, self.counter)

    def room(self, room_id):
        return self.rooms.setdefault(room_id, {"members": {}, "encrypted": False})

    def append(self, kind, room_id, event):
        self.pos += 1
        visible = kind == "invite" or room_id in self.joined
        self.stream.append({"pos": self.pos, "kind": kind, "room": room_id,
                            "event": event, "visible": visible})
        self.cond.notify_all()

    def event(self, room_id, sender, etype, content, state_key=None):
        ev = {"event_id": self.new_id("$"), "sender": sender, "type": etype,
              "content": content, "origin_server_ts": now_ms(), "room_id": room_id}
        if state_key is not None:
            ev["state_key"] = state_key
        self.append("event", room_id, ev)
        return ev

    def add_member(self, room_id, user, display=None):
        r = self.room(room_id)
        if user in r["members"] and (display is None or r["members"][user] == display):
            return
        r["members"][user] = display or user[1:].split(":")[0]
        self.event(room_id, user, "m.room.member",
                   {"membership": "join", "displayname": r["members"][user]}, user)

    def bot_join(self, room_id):
        self.invites.pop(room_id, None)
        if room_id in self.joined:
            return
        self.joined.add(room_id)
        self.room(room_id)["members"][self.bot] = "bot"
        self.event(room_id, self.bot, "m.room.member", {"membership": "join"}, self.bot)

    def state_events(self, room_id):
        r = self.room(room_id)
        out = []
        if r["encrypted"]:
            out.append({"type": "m.room.encryption", "state_key": "", "sender": "@admin:localhost",
                        "event_id": "$enc-" + room_id, "origin_server_ts": 0,
                        "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        for user, display in r["members"].items():
            out.append({"type": "m.room.member", "state_key": user, "sender": user,
                        "event_id": "$member-" + user + room_id, "origin_server_ts": 0,
                        "content": {"membership": "join", "displayname": display}})
        return out


def type_ok(types, etype):
    return types is None or "*" in types or etype in types


def client_event(ev):
    out = {k: v for k, v in ev.items() if k != "room_id"}
    out["unsigned"] = {"age": max(0, now_ms() - ev["origin_server_ts"])}
    return out


def build_sync(world, since, flt):
    room_f = flt.get("room", {}) if isinstance(flt, dict) else {}
    tl = room_f.get("timeline", {})
    limit = int(tl.get("limit", 10))
    tl_types = tl.get("types")
    st_types = room_f.get("state", {}).get("types")
    join, invite = {}, {}

    def room_entry(room_id):
        if room_id not in join:
            join[room_id] = {"timeline": {"events": [], "limited": False, "prev_batch": "p0"},
                             "state": {"events": []},
                             "summary": {"m.joined_member_count":
                                         len(world.room(room_id)["members"]),
                                         "m.invited_member_count": 0}}
        return join[room_id]

    if since is None:
        for room_id in sorted(world.joined):
            entry = room_entry(room_id)
            evs = [e["event"] for e in world.stream
                   if e["kind"] == "event" and e["room"] == room_id and e["visible"]
                   and type_ok(tl_types, e["event"]["type"])]
            entry["timeline"]["events"] = [client_event(e) for e in evs[-limit:]]
            entry["timeline"]["limited"] = len(evs) > limit
            entry["state"]["events"] = [e for e in world.state_events(room_id)
                                        if type_ok(st_types, e["type"])]
        pending = list(world.invites.items())
    else:
        newer = [e for e in world.stream if e["pos"] > since and e["visible"]]
        for e in newer:
            if e["kind"] != "event" or e["room"] not in world.joined:
                continue
            ev = e["event"]
            entry = room_entry(e["room"])
            if ev["type"] == "m.room.member" and ev.get("state_key") == world.bot:
                entry["state"]["events"] = [s for s in world.state_events(e["room"])
                                            if type_ok(st_types, s["type"])]
            if type_ok(tl_types, ev["type"]):
                entry["timeline"]["events"].append(client_event(ev))
        for entry in join.values():
            events = entry["timeline"]["events"]
            if len(events) > limit:
                entry["timeline"]["events"] = events[-limit:]
                entry["timeline"]["limited"] = True
        invited_now = {e["room"] for e in newer if e["kind"] == "invite"}
        pending = [(r, i) for r, i in world.invites.items() if r in invited_now]
    for room_id, inv in pending:
        member = {"type": "m.room.member", "state_key": world.bot, "sender": inv["inviter"],
                  "content": {"membership": "invite"}}
        if inv.get("is_direct"):
            member["content"]["is_direct"] = True
        invite[room_id] = {"invite_state": {"events": [
            {"type": "m.room.name", "state_key": "", "sender": inv["inviter"],
             "content": {"name": "room"}}, member]}}
    body = {"next_batch": "s%d" % world.pos, "rooms": {"join": join, "invite": invite,
                                                         "leave": {}}}
    return body, bool(join or invite)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    world = None  # set in main

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.generation = self.world.generation

    # ---- plumbing -------------------------------------------------------------------------
    def reply(self, code, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        fault = getattr(self, "fault", None)
        if fault and fault["kind"] == "truncated":
            data = data[: max(1, len(data) // 2)]
        if fault and fault["kind"] in ("hang", "drop"):
            if fault["kind"] == "hang":
                self.world.stopping.wait(fault.get("ms", 30000) / 1000.0)
            self.close_connection = True
            return
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, errcode, msg, extra=None):
        body = {"errcode": errcode, "error": msg}
        body.update(extra or {})
        self.reply(code, body)

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def take_fault(self, method, path):
        w = self.world
        with w.cond:
            for f in w.faults:
                if f["count"] > 0 and path.startswith(f.get("path_prefix", "/_matrix/")) and \
                        f.get("method", method) == method:
                    f["count"] -= 1
                    return dict(f)
        return None

    def auth(self, query):
        w = self.world
        header = self.headers.get("Authorization", "")
        token, style = None, None
        if header.startswith("Bearer "):
            token, style = header[7:], "header"
        elif "access_token" in query:
            token, style = query["access_token"][0], "query"
        self.auth_style = style
        if token is None:
            self.error(401, "M_MISSING_TOKEN", "Missing access token")
            return None
        with w.cond:
            device = w.tokens.get(token)
        if device is None:
            self.error(401, "M_UNKNOWN_TOKEN", "Invalid access token passed.",
                       {"soft_logout": False})
            return None
        return device

    # ---- dispatch -------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def dispatch(self, method):
        if self.generation != self.world.generation:
            self.close_connection = True
            return
        parts = urllib.parse.urlsplit(self.path)
        path, query = parts.path, urllib.parse.parse_qs(parts.query)
        body = self.read_json() if method in ("POST", "PUT") else {}
        if not path.startswith("/_matrix") and not path.startswith("/.well-known"):
            return self.control(method, path, body)
        w = self.world
        with w.cond:
            w.requests.append({"method": method, "path": self.path, "t": time.monotonic(),
                               "auth": "header" if self.headers.get("Authorization")
                               else ("query" if "access_token" in query else None)})
            w.requests_total += 1
        self.fault = self.take_fault(method, path)
        f = self.fault
        if f and f["kind"] == "429_ms":
            self.fault = None
            return self.error(429, "M_LIMIT_EXCEEDED", "Too many requests",
                              {"retry_after_ms": f.get("ms", 300)})
        if f and f["kind"] == "429_header":
            self.fault = None
            return self.reply(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests"},
                              {"Retry-After": str(max(1, f.get("ms", 1000) // 1000))})
        if f and f["kind"] == "401":
            self.fault = None
            return self.error(401, "M_UNKNOWN_TOKEN", "Invalid access token passed.",
                              {"soft_logout": False})
        if f and f["kind"] == "502":
            self.fault = None
            return self.reply(502, b"<html><body>502 Bad Gateway</body></html>")
        if body is None:
            return self.error(400, "M_NOT_JSON", "Content not JSON.")
        self.api(method, path, query, body)

    def api(self, method, path, query, body):
        w = self.world
        if path == "/.well-known/matrix/client":
            return self.reply(200, {"m.homeserver": {
                "base_url": "http://127.0.0.1:%d" % self.server.server_port}})
        if path == "/_matrix/client/versions":
            return self.reply(200, {"versions": ["v1.1", "v1.6"]})
        if path == V3 + "/login":
            if method == "GET":
                return self.reply(200, {"flows": [{"type": "m.login.password"}]})
            return self.login(body)
        device = self.auth(query)
        if device is None:
            return
        if path == V3 + "/account/whoami" and method == "GET":
            return self.reply(200, {"user_id": w.bot, "device_id": device})
        m = re.fullmatch(V3 + r"/user/([^/]+)/filter", path)
        if m and method == "POST":
            if urllib.parse.unquote(m.group(1)) != w.bot:
                return self.error(403, "M_FORBIDDEN", "Cannot create filters for other users")
            with w.cond:
                fid = str(len(w.filters) + 1)
                w.filters[fid] = body
            return self.reply(200, {"filter_id": fid})
        if path == V3 + "/sync" and method == "GET":
            return self.sync(query)
        m = re.fullmatch(V3 + r"/directory/room/([^/]+)", path)
        if m and method == "GET":
            alias = urllib.parse.unquote(m.group(1))
            with w.cond:
                room_id = w.aliases.get(alias)
            if room_id is None:
                return self.error(404, "M_NOT_FOUND", "Room alias %s not found." % alias)
            return self.reply(200, {"room_id": room_id, "servers": ["localhost"]})
        m = re.fullmatch(V3 + r"/(?:join/([^/]+)|rooms/([^/]+)/join)", path)
        if m and method == "POST":
            room_id = urllib.parse.unquote(m.group(1) or m.group(2))
            if room_id.startswith("#"):
                with w.cond:
                    room_id = w.aliases.get(room_id, "!" + room_id[1:])
            with w.cond:
                w.bot_join(room_id)
            return self.reply(200, {"room_id": room_id})
        m = re.fullmatch(V3 + r"/rooms/([^/]+)/leave", path)
        if m and method == "POST":
            room_id = urllib.parse.unquote(m.group(1))
            with w.cond:
                w.left.append(room_id)
                w.invites.pop(room_id, None)
                if room_id in w.joined:
                    w.joined.discard(room_id)
                    w.room(room_id)["members"].pop(w.bot, None)
            return self.reply(200, {})
        m = re.fullmatch(V3 + r"/rooms/([^/]+)/send/([^/]+)/([^/]+)", path)
        if m and method == "PUT":
            return self.send_event(device, *[urllib.parse.unquote(g) for g in m.groups()], body)
        self.error(404, "M_UNRECOGNIZED", "Unrecognized request")

    def login(self, body):
        w = self.world
        ident = body.get("identifier", {}) if isinstance(body, dict) else {}
        user = ident.get("user", "") if isinstance(ident, dict) else ""
        if body.get("type") != "m.login.password" or ident.get("type") != "m.id.user":
            return self.error(400, "M_UNKNOWN", "Unknown login type")
        if user not in (w.bot, w.bot[1:].split(":")[0]) or body.get("password") != w.password:
            return self.error(403, "M_FORBIDDEN", "Invalid username or password")
        device = body.get("device_id") or "GENERATED"
        with w.cond:
            w.counter += 1
            token = "login-token-%d" % w.counter
            w.tokens[token] = device
        self.reply(200, {"access_token": token, "user_id": w.bot, "device_id": device})

    def sync(self, query):
        w = self.world
        since = query.get("since", [None])[0]
        try:
            since_pos = int(since[1:]) if since is not None else None
            timeout = int(query.get("timeout", ["0"])[0]) / 1000.0
        except ValueError:
            return self.error(400, "M_INVALID_PARAM", "Bad since or timeout")
        flt = {}
        if "filter" in query:
            fid = query["filter"][0]
            with w.cond:
                flt = w.filters.get(fid)
            if flt is None:
                return self.error(400, "M_INVALID_PARAM", "No such filter")
        deadline = time.monotonic() + timeout
        with w.cond:
            while True:
                body, has_news = build_sync(w, since_pos, flt)
                left = deadline - time.monotonic()
                if since_pos is None or has_news or left <= 0 or w.stopping.is_set():
                    break
                w.cond.wait(left)
        self.reply(200, body)

    def send_event(self, device, room_id, etype, txn, content):
        w = self.world
        with w.cond:
            if room_id not in w.joined:
                return self.error(403, "M_FORBIDDEN", "User not in room")
            key = (device, txn)
            if key in w.txns:
                event_id = w.txns[key]
            else:
                ev = w.event(room_id, w.bot, etype, content)
                event_id = ev["event_id"]
                w.txns[key] = event_id
                w.sent.append({"room": room_id, "type": etype, "txn_id": txn,
                               "event_id": event_id, "content": content})
                w.sent_total += 1
        self.reply(200, {"event_id": event_id})

    # ---- test control ---------------------------------------------------------------------
    def control(self, method, path, body):
        w = self.world
        if body is None:
            return self.reply(400, {"error": "not json"})
        with w.cond:
            if method == "GET" and path == "/_sent":
                return self.reply(200, list(w.sent))
            if method == "GET" and path == "/_requests":
                return self.reply(200, list(w.requests))
            if method == "GET" and path == "/_counts":
                return self.reply(200, {"sent": w.sent_total, "requests": w.requests_total})
            if method == "GET" and path == "/_faults":
                return self.reply(200, [f for f in w.faults if f["count"] > 0])
            if method == "GET" and path == "/_state":
                return self.reply(200, {"joined": sorted(w.joined), "left": w.left,
                                        "invites": sorted(w.invites),
                                        "rooms": {k: {"members": sorted(v["members"]),
                                                      "encrypted": v["encrypted"]}
                                                  for k, v in w.rooms.items()}})
            if method == "POST" and path == "/_inject":
                room = body["room"]
                w.add_member(room, body["sender"], body.get("display"))
                content = {"msgtype": body.get("msgtype", "m.text"), "body": body["body"]}
                if "formatted_body" in body:
                    content["format"] = "org.matrix.custom.html"
                    content["formatted_body"] = body["formatted_body"]
                if "mentions" in body:
                    content["m.mentions"] = {"user_ids": body["mentions"]}
                ev = w.event(room, body["sender"], "m.room.message", content)
                return self.reply(200, {"event_id": ev["event_id"]})
            if method == "POST" and path == "/_reset":
                w.reset()
                return self.reply(200, {})
            if method == "POST" and path == "/_room":
                w.room(body["room"])
                for user in body.get("members", []):
                    w.add_member(body["room"], user)
                if body.get("alias"):
                    w.aliases[body["alias"]] = body["room"]
                return self.reply(200, {})
            if method == "POST" and path == "/_invite":
                room = body["room"]
                w.add_member(room, body["inviter"])
                w.invites[room] = {"inviter": body["inviter"],
                                   "is_direct": bool(body.get("is_direct"))}
                w.append("invite", room, None)
                return self.reply(200, {})
            if method == "POST" and path == "/_leave":
                room, who = body["room"], body["user"]
                if w.room(room)["members"].pop(who, None) is not None:
                    w.event(room, who, "m.room.member", {"membership": "leave"}, who)
                return self.reply(200, {})
            if method == "POST" and path == "/_encrypt":
                room = body["room"]
                w.room(room)["encrypted"] = True
                w.event(room, "@admin:localhost", "m.room.encryption",
                        {"algorithm": "m.megolm.v1.aes-sha2"}, "")
                return self.reply(200, {})
            if method == "POST" and path == "/_fault":
                f = {"kind": body["kind"], "count": int(body.get("count", 1))}
                for k in ("path_prefix", "ms", "method"):
                    if k in body:
                        f[k] = body[k]
                w.faults.append(f)
                return self.reply(200, {})
        self.reply(404, {"error": "unknown control endpoint"})


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Clients hang up on long-polls and hung requests all the time; that is not news.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--token", required=True)
    ap.add_argument("--user", default="@bot:localhost")
    ap.add_argument("--password", default="bot-password")
    ap.add_argument("--device", default="FRUGAL")
    ap.add_argument("--keep-requests", type=int, default=0)
    args = ap.parse_args()
    Handler.world = World(args.user, args.token, args.password, args.device, args.keep_requests)
    server = Server(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def stop(*_):
        Handler.world.stopping.set()
        with Handler.world.cond:
            Handler.world.cond.notify_all()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(str(server.server_port))
        os.replace(tmp, args.port_file)
    server.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main()
