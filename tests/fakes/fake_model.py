#!/usr/bin/env python3
"""fake_model.py: a fake model server speaking the OpenAI Chat Completions and the
Anthropic Messages wire formats, scripted over HTTP, for unit and end-to-end tests.
Python 3 standard library only. It does not think: it replies from a script or echoes.

Command line:
  python3 tests/fakes/fake_model.py --port 0 --port-file PATH
      [--default-usage exact|max] [--api-key KEY] [--crlf] [--keep-requests N]
  Binds 127.0.0.1 (port 0 = any free port) and writes the port number to PATH
  (atomically) once listening. SIGTERM stops it.
  --api-key KEY  OpenAI requests need "Authorization: Bearer KEY", Anthropic requests
                 "x-api-key: KEY"; otherwise 401 in that API's error shape.
  --crlf         every other SSE event uses "\r\n" line endings instead of "\n".
  --prompt-cache exact usage also bills prompt caching as each API documents it (see
                 PromptCache): cached and cache_write tokens, Anthropic input excluding them.
  --keep-requests N  /_requests holds only the newest N requests (0, the default, keeps
                 all); long benchmarks use it so the fake does not grow.

Model endpoints (POST):
  path ending in /chat/completions  OpenAI (base_url http://127.0.0.1:P/v1 works)
  path ending in /v1/messages       Anthropic (needs header anthropic-version)
  GET path ending in /models         the models list (OpenAI or, with anthropic-version,
                                    Anthropic shape; same key check; logged in /_requests)
Control endpoints:
  POST /_script   JSON array of steps, appended to a FIFO queue → 200 {"queued": n};
                  a malformed script → 400 and nothing is queued
  GET  /_requests JSON array of every model request received (valid or not):
                  {method, path, headers (names lower-cased; authorization and
                  x-api-key values replaced by "present"), body (parsed JSON or null)}
  GET  /_count    {"requests": n}: model requests received since start or /_reset
  GET  /_billed   JSON array, one entry per answer the fake generated (also the ones it
                  cut, hid the usage of, or that the client left): {"model", "api",
                  "input", "output", "cached", "cache_write"} — what a real provider bills,
                  whatever the response reported
  GET  /_queue    the steps not consumed yet
  POST /_reset    clears the queue, the request log and the billing log
  GET  /_health   200 {"ok": true}

Each valid model request pops the first queued step whose "match" (if any) is a
substring of the request's last user text (text parts of the last user message that has
text; tool results are not user text). No step: reply "echo: <last user text>".
Step keys (all optional):
  content: str           reply text
  reasoning: str         OpenAI: message.reasoning and message.reasoning_content;
                         Anthropic: a thinking block before the text
  tool_calls: [{"name": str, "arguments": object | raw string, "id": str}]
  usage: {"input", "output", "cached", "cache_write": int, "cost": float}
                         reported verbatim: OpenAI prompt_tokens=input (cached is part
                         of it), completion_tokens=output, prompt_tokens_details.
                         cached_tokens=cached, usage.cost=cost; Anthropic input_tokens=
                         input, output_tokens=output, cache_read_input_tokens=cached,
                         cache_creation_input_tokens=cache_write. Missing input/output
                         are computed as below.
  usage_mode: "exact" | "max"   exact: input = body bytes // 4, output = reply bytes
                         // 4 (at least 1, at most max_tokens); max: input = body bytes,
                         output = max_tokens / max_completion_tokens (4096 if absent).
                         Default: --default-usage (exact).
  no_usage: true         no usage at all (OpenAI: no usage object / usage chunk;
                         Anthropic: no usage in the message or its stream events)
  no_final_usage: true   the final counts are left out, the rest is sent: Anthropic
                         streams keep message_start's usage (input counts and the
                         placeholder output_tokens 1) but message_delta has no usage;
                         OpenAI streams send every chunk's "usage": null but no usage
                         chunk; non-streamed bodies carry usage without output_tokens /
                         completion_tokens. Billed in full all the same (/_billed).
  finish_reason / stop_reason: str  override (default stop|tool_calls, end_turn|tool_use)
  delay_ms: number       sleep before answering
  event_delay_ms: number streaming: sleep this long after each event (a slow model)
  match: str             see above
  model: str             the step applies only to requests for this model id
  if_absent: step        a model calls only tools its request offers: when this step's
                         tool_calls name a tool the request's "tools" lack, the fake answers
                         with if_absent instead (no match or model of its own; it may hold
                         its own if_absent), e.g. {"tool_calls": [{"name": "escalate", ...}]}
                         for a cheap model that must hand a task up, or plain content
  echo_tools: true       append the text of the request's newest tool results to the
                         reply (OpenAI role "tool" messages after the last assistant
                         message; Anthropic tool_result blocks in the last user message):
                         a model that repeats whatever its tools returned
  fault: "429" (+ "retry_after": seconds → Retry-After header) | "400" | "401" | "500" |
         "502" | "503" | "529" (Anthropic overloaded_error): that status with the API's
         error body;
         "slow_first_byte": sleep delay_ms (default 1000) before any byte, then answer;
         "truncated": non-streaming body with a full Content-Length, half sent, closed
                      (a streaming request is dropped mid-stream instead);
         "drop_mid_stream": streaming: some events, then the socket closes (no [DONE] /
                      message_stop); non-streaming: same as truncated;
         "hang": never answers; the connection closes when the client leaves;
         "error_event": streaming: some events, then OpenAI `data: {"error":{...}}` or
                      Anthropic `event: error`, then the response ends; non-streaming:
                      a 500 error;
         "garbage": 200 with a body that is not JSON (or SSE lines carrying broken JSON).
Streams are HTTP/1.1 chunked; every event is written in several flushed pieces split at
awkward places (inside "data:", mid-JSON, between \r and \n, inside UTF-8 sequences).
OpenAI streams start with an SSE comment line (": keep-alive"), as OpenRouter's do.
"""
import argparse
import collections
import itertools
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

FAULTS = {"429", "400", "401", "500", "502", "503", "529", "slow_first_byte", "truncated",
          "drop_mid_stream", "hang", "error_event", "garbage"}
NUM = (int, float)
JSON_SEP = (",", ":")  # compact, as the real APIs send it
STEP_TYPES = {"content": str, "reasoning": str, "tool_calls": list, "usage": dict,
              "usage_mode": str, "no_usage": bool, "no_final_usage": bool, "fault": str,
              "retry_after": NUM, "delay_ms": NUM, "match": str, "model": str, "finish_reason": str,
              "stop_reason": str, "echo_tools": bool, "event_delay_ms": NUM, "if_absent": dict}
OPENAI_ROLES = {"system", "developer", "user", "assistant", "tool"}
ANTHROPIC_BLOCKS = {"text", "image", "document", "tool_use", "tool_result", "thinking",
                    "redacted_thinking"}


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=JSON_SEP)


def is_num(v, kind=NUM):
    return isinstance(v, kind) and not isinstance(v, bool)


def step_error(s):
    """Why a scripted step is malformed, or None."""
    if not isinstance(s, dict):
        return "a step must be an object"
    for k, v in s.items():
        t = STEP_TYPES.get(k)
        if t is None:
            return "unknown step key %r" % k
        if (t is NUM and not is_num(v)) or (t is not NUM and not isinstance(v, t)):
            return "step key %r has the wrong type" % k
    if "fault" in s and s["fault"] not in FAULTS:
        return "unknown fault %r" % s["fault"]
    if s.get("usage_mode", "exact") not in ("exact", "max"):
        return "usage_mode must be exact or max"
    for k, v in s.get("usage", {}).items():
        if k not in ("input", "output", "cached", "cache_write", "cost"):
            return "unknown usage key %r" % k
        if not is_num(v, NUM if k == "cost" else int) or v < 0:
            return "usage %r must be a non-negative number" % k
    for tc in s.get("tool_calls", []):
        if not isinstance(tc, dict) or not isinstance(tc.get("name"), str):
            return "a tool call needs a name"
        if not isinstance(tc.get("arguments", {}), (dict, str)):
            return "tool call arguments must be an object or a string"
    if "if_absent" in s:
        alt = s["if_absent"]
        if "match" in alt or "model" in alt:
            return "if_absent takes no match or model (it answers the same request)"
        why = step_error(alt)
        if why:
            return "if_absent: " + why
    return None


def offered_tools(body):
    """The tool names a request offers: OpenAI tools[].function.name, Anthropic tools[].name."""
    out = set()
    for t in body.get("tools") or []:
        if isinstance(t, dict):
            f = t.get("function")
            name = f.get("name") if isinstance(f, dict) else t.get("name")
            if isinstance(name, str):
                out.add(name)
    return out


def within_offer(step, body):
    """`step`, or its if_absent (recursively) when it calls a tool the request lacks."""
    offered = offered_tools(body)
    while "if_absent" in step and any(tc["name"] not in offered
                                      for tc in step.get("tool_calls", [])):
        step = step["if_absent"]
    return step


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p["text"] for p in content if isinstance(p, dict)
                       and p.get("type") == "text" and isinstance(p.get("text"), str))
    return ""


def last_tool_results(messages):
    """The text of the newest tool results: OpenAI "tool" messages after the last
    assistant message, or the tool_result blocks of Anthropic's last user message."""
    out = []
    for m in reversed(messages):
        if not isinstance(m, dict):
            continue
        if m.get("role") == "tool":
            out.insert(0, text_of(m.get("content")))
            continue
        if m.get("role") == "user" and isinstance(m.get("content"), list):
            for b in m["content"]:
                if isinstance(b, dict) and b.get("type") == "tool_result":
                    c = b.get("content")
                    out.append(c if isinstance(c, str) else text_of(c))
        break
    return "\n".join(out)


def last_user_text(messages):
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "user" and text_of(m.get("content")):
            return text_of(m.get("content"))
    return ""


def openai_request_error(b):
    if not isinstance(b.get("model"), str) or not b["model"]:
        return "you must provide a model parameter"
    msgs = b.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "'messages' must be a non-empty array"
    for key in ("max_tokens", "max_completion_tokens"):
        if key in b and b[key] is not None and (not is_num(b[key], int) or b[key] < 1):
            return "'%s' must be an integer >= 1" % key
    if "stream" in b and not isinstance(b["stream"], bool):
        return "'stream' must be a boolean"
    if b.get("stream_options") is not None and not b.get("stream"):
        return "The 'stream_options' parameter is only allowed when 'stream' is enabled."
    if not isinstance(b.get("tools") or [], list):
        return "'tools' must be an array"
    if b.get("stream_options") is not None and not isinstance(b["stream_options"], dict):
        return "'stream_options' must be an object"
    for t in b.get("tools") or []:
        f = t.get("function") if isinstance(t, dict) else None
        if not isinstance(f, dict) or t.get("type") != "function" or not f.get("name"):
            return "each tool needs type 'function' and a function name"
    waiting = set()
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in OPENAI_ROLES:
            return "messages[%d]: invalid role" % i
        if m["role"] == "tool":
            if m.get("tool_call_id") not in waiting:
                return ("messages[%d]: messages with role 'tool' must be a response to a "
                        "preceding message with 'tool_calls'" % i)
            waiting.discard(m["tool_call_id"])
            continue
        if waiting:
            return ("An assistant message with 'tool_calls' must be followed by tool "
                    "messages responding to each 'tool_call_id'.")
        if m["role"] == "assistant":
            waiting = {tc.get("id") for tc in m.get("tool_calls") or [] if isinstance(tc, dict)}
        elif m.get("content") is None:
            return "messages[%d]: content is required" % i
    return None


def anthropic_request_error(b, headers):
    if not headers.get("anthropic-version"):
        return "anthropic-version: header is required"
    if not isinstance(b.get("model"), str) or not b["model"]:
        return "model: Field required"
    if not is_num(b.get("max_tokens"), int) or b["max_tokens"] < 1:
        return "max_tokens: Field required (an integer >= 1)"
    msgs = b.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "messages: at least one message is required"
    th = b.get("thinking")
    if isinstance(th, dict) and th.get("type") == "enabled":
        bt = th.get("budget_tokens")
        if not is_num(bt, int) or bt < 1024 or bt >= b["max_tokens"]:
            return "thinking.budget_tokens must be >= 1024 and less than max_tokens"
    if not isinstance(b.get("tools") or [], list):
        return "tools: Input should be a valid list"
    for t in b.get("tools") or []:
        if not isinstance(t, dict) or not t.get("name") or "input_schema" not in t:
            return "tools: each tool needs name and input_schema"
    pending = set()
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            return "messages.%d.role: Input should be 'user' or 'assistant'" % i
        c = m.get("content")
        last = i == len(msgs) - 1
        if c == "" or c == [] or c is None:
            if not (last and m["role"] == "assistant"):
                return ("messages.%d: all messages must have non-empty content except for "
                        "the optional final assistant message" % i)
        blocks = c if isinstance(c, list) else []
        for blk in blocks:
            if not isinstance(blk, dict) or blk.get("type") not in ANTHROPIC_BLOCKS:
                return "messages.%d.content: unknown content block type" % i
            if blk["type"] == "text" and not blk.get("text"):
                return "messages.%d: text content blocks must be non-empty" % i
        results = {blk.get("tool_use_id") for blk in blocks if blk.get("type") == "tool_result"}
        if m["role"] == "user":
            if results - pending:
                return ("messages.%d.content: unexpected `tool_use_id` found in "
                        "`tool_result` blocks" % i)
            if pending - results:
                return ("messages.%d: `tool_use` ids were found without `tool_result` "
                        "blocks immediately after" % (i - 1))
            pending = set()
        else:
            if pending:
                return "messages.%d: tool_use must be answered by the next user message" % i
            pending = {blk.get("id") for blk in blocks if blk.get("type") == "tool_use"}
    return None


# ---- prompt caching, as each API documents it ----
# OpenAI: automatic for prompts of 1,024 tokens or more; the cached part is the longest
# prefix shared with a recent request to the same model, counted in 128-token steps above
# 1,024. Anthropic: only prefixes ending at a block marked cache_control (at most 4, or a
# top-level cache_control = the last block) are written, if at least the model's minimum
# long; a breakpoint reads the longest written prefix ending at it or at one of the 20
# blocks before it. Render order is tools, system, messages; a token is ~4 bytes.
CACHE_TTL_S = 300
OPENAI_MIN, OPENAI_STEP = 1024, 128
LOOKBACK = 20


def anthropic_min_tokens(model):
    m = model.lower()
    if any(k in m for k in ("haiku-4-5", "haiku-4.5", "opus-4-5", "opus-4.5", "opus-4-6",
                            "opus-4.6")):
        return 4096
    if "haiku" in m:
        return 2048
    return 1024


def _plain(block):
    """A block as it counts for the cache key (the marker itself is not content)."""
    if isinstance(block, dict) and "cache_control" in block:
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return dumps(block)


def anthropic_blocks_of(body):
    """[(text, marked)] in render order: tools, system blocks, message content blocks."""
    out = []
    for t in body.get("tools") or []:
        out.append((_plain(t), isinstance(t, dict) and "cache_control" in t))
    sysp = body.get("system")
    if isinstance(sysp, str) and sysp:
        out.append((dumps({"type": "text", "text": sysp}), False))
    elif isinstance(sysp, list):
        out += [(_plain(b), isinstance(b, dict) and "cache_control" in b) for b in sysp]
    for m in body.get("messages") or []:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            out.append((dumps({"role": m["role"], "text": c}), False))
        elif isinstance(c, list):
            for i, b in enumerate(c):
                tag = dumps({"role": m["role"]}) if i == 0 else ""
                out.append((tag + _plain(b), isinstance(b, dict) and "cache_control" in b))
    if out and isinstance(body.get("cache_control"), dict):
        out[-1] = (out[-1][0], True)
    return out


class PromptCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.anthropic = {}  # (model, prefix key) -> (tokens, expiry)
        self.openai = collections.defaultdict(lambda: collections.deque(maxlen=64))

    def anthropic_usage(self, body, total):
        """(cache_read, cache_write) tokens for one request."""
        blocks = anthropic_blocks_of(body)
        model = body.get("model", "")
        keys, tokens, acc, size = [], [], [], 0
        h = ""
        for text, _ in blocks:
            size += len(text.encode())
            h = str(hash((h, text)))
            keys.append(h)
            tokens.append(size // 4)
        marks = [i for i, (_, marked) in enumerate(blocks) if marked][:4]
        now = time.monotonic()
        read = 0
        with self.lock:
            for b in marks:
                for j in range(b, max(-1, b - LOOKBACK - 1), -1):
                    hit = self.anthropic.get((model, keys[j]))
                    if hit and hit[1] > now:
                        read = max(read, hit[0])
                        self.anthropic[(model, keys[j])] = (hit[0], now + CACHE_TTL_S)
                        break
            write = 0
            minimum = anthropic_min_tokens(model)
            for b in marks:
                if tokens[b] >= minimum and tokens[b] > read:
                    self.anthropic[(model, keys[b])] = (tokens[b], now + CACHE_TTL_S)
                    write = max(write, tokens[b] - read)
        read, write = min(read, total), min(write, max(0, total - read))
        return read, write

    def openai_cached(self, body, total):
        parts = [dumps(t) for t in body.get("tools") or []]
        parts += [dumps(m) for m in body.get("messages") or []]
        prompt = "".join(parts).encode()
        model = body.get("model", "")
        now = time.monotonic()
        best = 0
        with self.lock:
            seen = self.openai[model]
            for when, old in seen:
                if when < now - CACHE_TTL_S:
                    continue
                n = min(len(old), len(prompt))
                k = 0
                while k < n and old[k] == prompt[k]:
                    k += 1
                best = max(best, k)
            seen.append((now, prompt))
        tokens = best // 4
        if tokens < OPENAI_MIN or total < OPENAI_MIN:
            return 0
        return min(total, OPENAI_MIN + (tokens - OPENAI_MIN) // OPENAI_STEP * OPENAI_STEP)


class Reply:
    """What a step asks for, resolved against one request."""

    def __init__(self, step, body, raw_len, default_mode, anthropic, cache=None):
        self.step = step
        self.text = step.get("content")
        if self.text is None and not step.get("tool_calls"):
            self.text = "echo: " + last_user_text(body.get("messages", []))
        self.text = self.text or ""
        if step.get("echo_tools"):
            self.text += last_tool_results(body.get("messages", []))
        self.reasoning = step.get("reasoning", "")
        self.calls = []
        for n, tc in enumerate(step.get("tool_calls", [])):
            args = tc.get("arguments", {})
            raw = args if isinstance(args, str) else dumps(args)
            cid = tc.get("id") or ("toolu_fake%d" % n if anthropic else "call_fake%d" % n)
            self.calls.append({"id": cid, "name": tc["name"], "raw": raw})
        if anthropic:
            self.finish = step.get("stop_reason") or ("tool_use" if self.calls else "end_turn")
        else:
            self.finish = step.get("finish_reason") or ("tool_calls" if self.calls else "stop")
        self.billed = self._usage(body, raw_len, default_mode, anthropic, cache)
        self.usage = None if step.get("no_usage") else self.billed
        self.final_usage = not step.get("no_final_usage")

    def _usage(self, body, raw_len, default_mode, anthropic, cache):
        u = dict(self.step.get("usage", {}))
        if "input" not in u and self.step.get("usage_mode", default_mode) == "exact" and cache:
            total = max(1, raw_len // 4)
            if anthropic:
                read, write = cache.anthropic_usage(body, total)
                u.setdefault("cached", read)
                u.setdefault("cache_write", write)
                u["input"] = max(0, total - read - write)  # Anthropic: uncached part only
            else:
                u.setdefault("cached", cache.openai_cached(body, total))
                u["input"] = total  # OpenAI: prompt_tokens includes the cached part
        cap = body.get("max_completion_tokens") or body.get("max_tokens")
        if self.step.get("usage_mode", default_mode) == "max":
            u.setdefault("input", raw_len)
            u.setdefault("output", cap or 4096)
        else:
            out_bytes = len((self.text + self.reasoning).encode())
            out_bytes += sum(len(c["raw"].encode()) + len(c["name"]) for c in self.calls)
            u.setdefault("input", max(1, raw_len // 4))
            u.setdefault("output", min(max(1, out_bytes // 4), cap or 1 << 30))
        return u


def pieces(text, n=3):
    """`text` cut into up to n non-empty pieces (a stream sends each as a delta)."""
    if len(text) < n:
        return [text] if text else []
    k = len(text) // n
    return [text[i * k:(i + 1) * k if i < n - 1 else len(text)] for i in range(n)]


def openai_usage(u):
    out = {"prompt_tokens": u["input"], "completion_tokens": u["output"],
           "total_tokens": u["input"] + u["output"],
           "prompt_tokens_details": {"cached_tokens": u.get("cached", 0)}}
    if "cost" in u:
        out["cost"] = u["cost"]
    return out


def anthropic_usage(u, output=None):
    return {"input_tokens": u["input"],
            "output_tokens": u["output"] if output is None else output,
            "cache_read_input_tokens": u.get("cached", 0),
            "cache_creation_input_tokens": u.get("cache_write", 0)}


def openai_message(r, rid, model):
    msg = {"role": "assistant", "content": r.text if (r.text or not r.calls) else None,
           "refusal": None}
    if r.reasoning:
        msg["reasoning"] = msg["reasoning_content"] = r.reasoning
    if r.calls:
        msg["tool_calls"] = [{"id": c["id"], "type": "function",
                              "function": {"name": c["name"], "arguments": c["raw"]}}
                             for c in r.calls]
    out = {"id": rid, "object": "chat.completion", "created": int(time.time()),
           "model": model, "system_fingerprint": None,
           "choices": [{"index": 0, "message": msg, "logprobs": None,
                        "finish_reason": r.finish}]}
    if r.usage is not None:
        out["usage"] = openai_usage(r.usage)
        if not r.final_usage:
            del out["usage"]["completion_tokens"]
    return out


def openai_events(r, rid, model, include_usage):
    """The data payloads of an OpenAI stream, without the final [DONE]."""
    base = {"id": rid, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "system_fingerprint": None}
    with_usage = include_usage and r.usage is not None

    def chunk(delta, finish=None):
        c = dict(base, choices=[{"index": 0, "delta": delta, "logprobs": None,
                                 "finish_reason": finish}])
        if with_usage:
            c["usage"] = None
        return c

    ev = [chunk({"role": "assistant", "content": ""})]
    ev += [chunk({"reasoning": p, "reasoning_content": p}) for p in pieces(r.reasoning)]
    ev += [chunk({"content": p}) for p in pieces(r.text)]
    for i, c in enumerate(r.calls):
        ev.append(chunk({"tool_calls": [{"index": i, "id": c["id"], "type": "function",
                                         "function": {"name": c["name"], "arguments": ""}}]}))
        ev += [chunk({"tool_calls": [{"index": i, "function": {"arguments": p}}]})
               for p in pieces(c["raw"])]
    ev.append(chunk({}, r.finish))
    if with_usage and r.final_usage:
        ev.append(dict(base, choices=[], usage=openai_usage(r.usage)))
    return ev


def anthropic_blocks(r):
    blocks = []
    if r.reasoning:
        blocks.append({"type": "thinking", "thinking": r.reasoning, "signature": "fakesig=="})
    if r.text or not r.calls:
        blocks.append({"type": "text", "text": r.text})
    for c in r.calls:
        try:
            inp = json.loads(c["raw"])
        except ValueError:
            inp = c["raw"]  # not valid per the API: a client must reject it
        blocks.append({"type": "tool_use", "id": c["id"], "name": c["name"], "input": inp})
    return blocks


def anthropic_message(r, rid, model):
    out = {"id": rid, "type": "message", "role": "assistant", "model": model,
           "content": anthropic_blocks(r), "stop_reason": r.finish, "stop_sequence": None}
    if r.usage is not None:
        out["usage"] = anthropic_usage(r.usage)
        if not r.final_usage:
            del out["usage"]["output_tokens"]
    return out


def anthropic_events(r, rid, model):
    """(event name, data) pairs of an Anthropic stream."""
    start = {"id": rid, "type": "message", "role": "assistant", "model": model,
             "content": [], "stop_reason": None, "stop_sequence": None}
    if r.usage is not None:
        start["usage"] = anthropic_usage(r.usage, output=1)
    ev = [("message_start", {"type": "message_start", "message": start}),
          ("ping", {"type": "ping"})]
    calls = iter(r.calls)
    for i, blk in enumerate(anthropic_blocks(r)):
        t = blk["type"]
        if t == "thinking":
            first = {"type": "thinking", "thinking": ""}
            deltas = [{"type": "thinking_delta", "thinking": p} for p in pieces(blk["thinking"])]
            deltas.append({"type": "signature_delta", "signature": blk["signature"]})
        elif t == "text":
            first = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in pieces(blk["text"])]
        else:
            first = {"type": "tool_use", "id": blk["id"], "name": blk["name"], "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": p}
                      for p in pieces(next(calls)["raw"])]
        ev.append(("content_block_start",
                   {"type": "content_block_start", "index": i, "content_block": first}))
        ev += [("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d})
               for d in deltas]
        ev.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    delta = {"type": "message_delta",
             "delta": {"stop_reason": r.finish, "stop_sequence": None}}
    if r.usage is not None and r.final_usage:
        delta["usage"] = {"output_tokens": r.usage["output"]}
    ev.append(("message_delta", delta))
    ev.append(("message_stop", {"type": "message_stop"}))
    return ev


def openai_error(code, message, etype, ecode=None):
    return code, {"error": {"message": message, "type": etype, "param": None, "code": ecode}}


def anthropic_error(code, message, etype):
    return code, {"type": "error", "error": {"type": etype, "message": message}}


FAULT_ERRORS = {  # status: (openai type, openai code, anthropic type, message)
    "400": ("invalid_request_error", None, "invalid_request_error", "scripted bad request"),
    "401": ("invalid_request_error", "invalid_api_key", "authentication_error",
            "scripted: invalid api key"),
    "429": ("requests", "rate_limit_exceeded", "rate_limit_error", "scripted: rate limited"),
    "500": ("server_error", None, "api_error", "scripted: internal server error"),
    "502": ("server_error", None, "api_error", "scripted: bad gateway"),
    "503": ("server_error", None, "api_error", "scripted: service unavailable"),
    "529": ("server_error", "overloaded", "overloaded_error", "Overloaded"),
}


def fault_error(fault, anthropic):
    otype, ocode, atype, msg = FAULT_ERRORS[fault]
    if anthropic:
        return anthropic_error(int(fault), msg, atype)
    return openai_error(int(fault), msg, otype, ocode)


class State:
    def __init__(self, args):
        self.api_key = args.api_key
        self.default_usage = args.default_usage
        self.crlf = args.crlf
        self.lock = threading.Lock()
        self.queue = []
        self.log = collections.deque(maxlen=args.keep_requests or None)
        self.billed = collections.deque(maxlen=args.keep_requests or None)
        self.total = 0
        self.ids = itertools.count(1)
        self.cache = PromptCache() if args.prompt_cache else None

    def pop_step(self, text, model=""):
        with self.lock:
            for i, s in enumerate(self.queue):
                if ("match" not in s or s["match"] in text) and s.get("model", model) == model:
                    return self.queue.pop(i)
        return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main()

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, OSError, socket.timeout):
            pass  # a client that left is never the server's problem

    # ---- writing ----
    def send_json(self, code, obj, headers=()):
        body = dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def send_event(self, text, n):
        data = text.encode()
        if self.state.crlf and n % 2 == 1:
            data = data.replace(b"\n", b"\r\n")
        cuts = {3, len(data) // 2}
        if b"\r" in data:
            cuts.add(data.index(b"\r") + 1)
        for i, byte in enumerate(data):
            if byte >= 0xC0:  # the lead byte of a multi-byte UTF-8 sequence
                cuts.add(i + 1)
                break
        cuts = sorted(c for c in cuts if 0 < c < len(data))
        for a, b in zip([0] + cuts, cuts + [len(data)]):
            self.write_chunk(data[a:b])
            time.sleep(0.001)

    def wait_for_client_to_leave(self):
        self.connection.settimeout(600)
        try:
            while self.connection.recv(4096):
                pass
        except OSError:
            pass
        self.close_connection = True

    # ---- routing ----
    def do_GET(self):
        path = urlparse(self.path).path
        st = self.state
        with st.lock:
            if path == "/_health":
                return self.send_json(200, {"ok": True})
            if path == "/_requests":
                return self.send_json(200, list(st.log))
            if path == "/_billed":
                return self.send_json(200, list(st.billed))
            if path == "/_count":
                return self.send_json(200, {"requests": st.total})
            if path == "/_queue":
                return self.send_json(200, st.queue)
        if path.endswith("/models"):
            return self.models_list(path)
        self.send_json(404, {"error": {"message": "no route " + path, "type": "not_found"}})

    def do_POST(self):
        path = urlparse(self.path).path
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return self.send_json(400, {"error": {"message": "bad Content-Length",
                                                  "type": "invalid_request_error"}})
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if path == "/_script":
            return self.script(body)
        if path == "/_reset":
            with self.state.lock:
                self.state.queue.clear()
                self.state.log.clear()
                self.state.billed.clear()
                self.state.total = 0
            return self.send_json(200, {"ok": True})
        if path.endswith("/chat/completions"):
            return self.model(False, body, len(raw))
        if path.endswith("/v1/messages"):
            return self.model(True, body, len(raw))
        self.send_json(404, {"error": {"message": "no route " + path, "type": "not_found"}})

    def models_list(self, path):
        """GET /v1/models (both APIs serve it; local servers such as llama.cpp and Ollama
        too): the list shape of the API the headers name, after the same key check as a
        model request. The fake serves any model id, so it lists the ids it was asked for."""
        st = self.state
        headers = {k.lower(): v for k, v in self.headers.items()}
        anthropic = "anthropic-version" in headers
        with st.lock:
            st.log.append({"method": "GET", "path": self.path, "bytes": 0, "body": None,
                           "headers": {k: ("present" if k in ("authorization", "x-api-key")
                                           else v) for k, v in headers.items()}})
            seen = sorted({q["body"].get("model", "") for q in st.log
                           if isinstance(q.get("body"), dict)} - {""})
        if st.api_key:
            if anthropic and headers.get("x-api-key") != st.api_key:
                return self.send_json(*anthropic_error(401, "invalid x-api-key",
                                                       "authentication_error"))
            if not anthropic and headers.get("authorization") != "Bearer " + st.api_key:
                return self.send_json(*openai_error(401, "Incorrect API key provided.",
                                                    "invalid_request_error", "invalid_api_key"))
        if anthropic:
            data = [{"type": "model", "id": m, "display_name": m,
                     "created_at": "2025-01-01T00:00:00Z"} for m in seen]
            return self.send_json(200, {"data": data, "has_more": False,
                                        "first_id": seen[0] if seen else None,
                                        "last_id": seen[-1] if seen else None})
        return self.send_json(200, {"object": "list", "data": [
            {"id": m, "object": "model", "created": 1735689600, "owned_by": "fake"}
            for m in seen]})

    def script(self, steps):
        if not isinstance(steps, list):
            return self.send_json(400, {"error": "a script is a JSON array of steps"})
        for n, s in enumerate(steps):
            why = step_error(s)
            if why:
                return self.send_json(400, {"error": "step %d: %s" % (n, why)})
        with self.state.lock:
            self.state.queue.extend(steps)
        self.send_json(200, {"queued": len(steps)})

    def model(self, anthropic, body, raw_len):
        st = self.state
        headers = {k.lower(): v for k, v in self.headers.items()}
        logged = {k: ("present" if k in ("authorization", "x-api-key") else v)
                  for k, v in headers.items()}
        with st.lock:
            st.log.append({"method": "POST", "path": self.path, "headers": logged,
                           "body": body, "bytes": raw_len})
            st.total += 1
        err = anthropic_error if anthropic else openai_error
        if st.api_key:
            if anthropic and headers.get("x-api-key") != st.api_key:
                return self.send_json(*err(401, "invalid x-api-key", "authentication_error"))
            if not anthropic and headers.get("authorization") != "Bearer " + st.api_key:
                return self.send_json(*openai_error(401, "Incorrect API key provided.",
                                                    "invalid_request_error",
                                                    "invalid_api_key"))
        if not isinstance(body, dict):
            return self.send_json(*err(400, "We could not parse the JSON body of your request.",
                                       "invalid_request_error"))
        try:
            why = (anthropic_request_error(body, headers) if anthropic
                   else openai_request_error(body))
        except (AttributeError, TypeError, KeyError) as e:  # a shape no check foresaw
            why = "invalid request: %s" % e
        if why:
            return self.send_json(*err(400, why, "invalid_request_error"))
        step = st.pop_step(last_user_text(body["messages"]), body.get("model", ""))
        self.answer(anthropic, body, raw_len, within_offer(step, body))

    def answer(self, anthropic, body, raw_len, step):
        fault = step.get("fault")
        delay = step.get("delay_ms", 1000 if fault == "slow_first_byte" else 0)
        if delay:
            time.sleep(delay / 1000)
        if fault == "hang":
            return self.wait_for_client_to_leave()
        stream = body.get("stream") is True
        if fault == "error_event" and not stream:
            fault = "500"
        if fault in FAULT_ERRORS:
            hdrs = []
            if fault == "429" and "retry_after" in step:
                hdrs.append(("Retry-After", str(int(step["retry_after"]))))
            code, obj = fault_error(fault, anthropic)
            return self.send_json(code, obj, hdrs)
        reply = Reply(step, body, raw_len, self.state.default_usage, anthropic, self.state.cache)
        if fault != "garbage":
            b = reply.billed
            with self.state.lock:
                self.state.billed.append({
                    "model": body["model"], "api": "anthropic" if anthropic else "openai",
                    "input": b["input"], "output": b["output"], "cached": b.get("cached", 0),
                    "cache_write": b.get("cache_write", 0)})
        n = next(self.state.ids)
        rid = ("msg_fake%d" if anthropic else "chatcmpl-fake%d") % n
        id_header = ("request-id" if anthropic else "x-request-id", "req_fake%d" % n)
        if fault == "truncated" and stream:
            fault = "drop_mid_stream"
        if not stream:
            if fault == "garbage":
                return self.send_text(200, b"<html>this is not JSON {", [id_header])
            obj = (anthropic_message(reply, rid, body["model"]) if anthropic
                   else openai_message(reply, rid, body["model"]))
            if fault in ("truncated", "drop_mid_stream"):
                data = dumps(obj).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                return self.drop()
            return self.send_json(200, obj, [id_header])
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header(*id_header)
        self.end_headers()
        if anthropic:
            events = ["event: %s\ndata: %s\n\n" % (name, dumps(d))
                      for name, d in anthropic_events(reply, rid, body["model"])]
            error_event = ("event: error\ndata: " + dumps(anthropic_error(
                529, "Overloaded", "overloaded_error")[1]) + "\n\n")
        else:
            include = (body.get("stream_options") or {}).get("include_usage") is True
            events = [": keep-alive\n\n"]
            events += ["data: %s\n\n" % dumps(d)
                       for d in openai_events(reply, rid, body["model"], include)]
            events.append("data: [DONE]\n\n")
            error_event = ("data: " + dumps(openai_error(
                500, "scripted: error mid-stream", "server_error")[1]) + "\n\n")
        if fault == "garbage":
            events = ["data: {broken json\n\n", "data: [[[\n\n"]
        elif fault in ("drop_mid_stream", "error_event"):
            events = events[:max(2, len(events) // 2)]
        for n, e in enumerate(events):
            self.send_event(e, n)
            if step.get("event_delay_ms"):
                time.sleep(step["event_delay_ms"] / 1000)
        if fault == "drop_mid_stream":
            return self.drop()
        if fault == "error_event":
            self.send_event(error_event, len(events))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_text(self, code, data, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    ap = argparse.ArgumentParser(description="fake OpenAI/Anthropic model server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--default-usage", choices=("exact", "max"), default="exact")
    ap.add_argument("--api-key", default="")
    ap.add_argument("--crlf", action="store_true")
    ap.add_argument("--keep-requests", type=int, default=0)
    ap.add_argument("--prompt-cache", action="store_true")
    args = ap.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
