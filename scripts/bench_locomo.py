#!/usr/bin/env python3
"""Retrieval benchmark on LoCoMo conversations, through the HTTP API of a running stack.

Imports every dialogue turn as one memory of a new user, with its speaker as the sender and
the conversation id in its metadata, sends each question of categories 1-4 to
/api/memories/search, and scores evidence recall@5, recall@10 and MRR. The same figures for
a plain BM25 ranking of the same turns are computed here, in the same run, as the baseline.
Then reports what the import made of the people (contacts per speaker, merge suggestions),
the entities found, and the size and time of the memory graph. Prints one JSON object.

usage: bench_locomo.py BASE_URL LOCOMO_JSON
"""

import http.client
import json
import math
import re
import statistics
import sys
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

CATEGORIES = {1, 2, 3, 4}
IMPORT_THREADS = 4
K1, B = 1.2, 0.75

# English stop words for the BM25 baseline (the common scikit-learn-style list, abridged to
# words that occur in conversation).
STOP_WORDS = set("""
a about above after again against all almost also am an and any are as at be because been
before being below between both but by can cannot could did do does doing done down during
each either else ever every few for from further get gets got had has have having he her here
hers herself him himself his how however i if in into is it its itself just least less many
may me might more most much must my myself neither no nor not now of off often on once one
only or other others our ours ourselves out over own per perhaps rather same she should since
so some such than that the their theirs them themselves then there these they this those
though through thus to together too toward under until up upon us very via was we well were
what whatever when where whether which while who whom whose why will with within without
would yet you your yours yourself yourselves
""".split())


class Api:
    """A keep-alive JSON client for one loopback base URL (one connection per thread)."""

    def __init__(self, base_url, token=None):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.token = token
        self.connection = None

    def request(self, method, path, body=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = json.loads(response.read() or b"null")
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} returned {response.status}: {data}")
        return data


def session_time(text):
    """Parses LoCoMo's '1:56 pm on 8 May, 2023' as a UTC time."""
    parsed = datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y")
    return parsed.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def turns_of(sample):
    conversation = sample["conversation"]
    numbers = sorted(int(m.group(1)) for k in conversation
                     if (m := re.fullmatch(r"session_(\d+)", k)))
    for number in numbers:
        when = session_time(conversation[f"session_{number}_date_time"])
        for turn in conversation[f"session_{number}"]:
            text = f"{turn['speaker']}: {turn['text']}"
            if turn.get("blip_caption"):
                text += f" [image: {turn['blip_caption']}]"
            yield {
                "text": text,
                "sourceType": "message",
                "eventTime": when,
                "metadata": {"conversationId": sample["sample_id"], "sessionId": number,
                             "dialogueId": turn["dia_id"]},
                "participants": [{"name": turn["speaker"], "role": "sender"}],
            }


def evidence_keys(sample_id, evidence):
    keys = set()
    for item in evidence:
        for part in re.split(r"[;,\s]+", item):
            if re.fullmatch(r"D\d+:\d+", part):
                keys.add((sample_id, part))
    return keys


def tokens(text):
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in STOP_WORDS]


class Bm25:
    def __init__(self, documents):
        self.docs = [Counter(tokens(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / len(self.docs)
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings = defaultdict(list)
        for i, d in enumerate(self.docs):
            for t in d:
                self.postings[t].append(i)

    def rank(self, query, k):
        scores = defaultdict(float)
        for t in set(tokens(query)):
            for i in self.postings.get(t, []):
                tf = self.docs[i][t]
                norm = K1 * (1 - B + B * self.lengths[i] / self.average)
                scores[i] += self.idf[t] * tf * (K1 + 1) / (tf + norm)
        return sorted(scores, key=lambda i: -scores[i])[:k]


def score(ranked_keys, relevant):
    """Returns recall@5, recall@10 and reciprocal rank for one question."""
    def recall(k):
        found = set().union(*ranked_keys[:k]) if ranked_keys[:k] else set()
        return len(found & relevant) / len(relevant)
    rr = next((1 / (i + 1) for i, keys in enumerate(ranked_keys) if keys & relevant), 0.0)
    return recall(5), recall(10), rr


def summarise(rows):
    return {name: round(statistics.mean(r[i] for r in rows), 4)
            for i, name in enumerate(["recall@5", "recall@10", "mrr"])}


def import_turns(base_url, token, turns):
    """Posts every turn; returns memory id -> dialogue keys, and the elapsed seconds."""
    clients = {}

    def post(turn):
        import threading
        client = clients.setdefault(threading.get_ident(), Api(base_url, token))
        memory = client.request("POST", "/api/memories", turn)
        meta = turn["metadata"]
        return memory["id"], (meta["conversationId"], meta["dialogueId"])

    started = time.perf_counter()
    with ThreadPoolExecutor(IMPORT_THREADS) as pool:
        results = list(pool.map(post, turns))
    elapsed = time.perf_counter() - started
    keys = defaultdict(set)
    for memory_id, key in results:
        keys[memory_id].add(key)
    return keys, elapsed


def auth_latency_ms(base_url, rounds=5):
    """Times register and login, each dominated by one argon2id hash. Returns medians in ms."""
    client = Api(base_url)
    register, login = [], []
    for _ in range(rounds):
        credentials = {"email": f"hash-{uuid.uuid4().hex[:12]}@example.com",
                       "password": "benchmark-password-1"}
        started = time.perf_counter()
        client.request("POST", "/api/user-auth/register", {**credentials, "name": "Hash"})
        register.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.request("POST", "/api/user-auth/login", credentials)
        login.append((time.perf_counter() - started) * 1000)
    return {"register_p50": round(statistics.median(register), 1),
            "login_p50": round(statistics.median(login), 1)}


def identity_report(client, turns):
    """Checks what the import made of the people in it: one contact per speaker of each
    conversation, linked to all of that speaker's turns, and the suggestions among them."""
    speakers = defaultdict(int)
    for turn in turns:
        speakers[(turn["metadata"]["conversationId"], turn["participants"][0]["name"])] += 1
    contacts = client.request("GET", "/api/contacts?limit=200")
    counts = sorted(c["memoryCount"] for c in contacts["items"])
    suggestions = client.request("GET", "/api/contacts/suggestions?limit=200")["items"]
    return {
        "speakers": len(speakers),
        "contacts": contacts["total"],
        "contact_turns_match_speaker_turns": counts == sorted(speakers.values()),
        "suggestions": [{"pair": [s["contactA"]["displayName"], s["contactB"]["displayName"]],
                         "confidence": s["confidence"]} for s in suggestions],
    }


def entity_report(client):
    """Counts the distinct entities of each type and shows the most frequent few."""
    report = {}
    for kind in ["person", "place", "organization", "date", "money", "url", "email", "phone"]:
        listed = client.request("GET", f"/api/agent/entities?type={kind}&limit=5")
        report[kind] = {"distinct": listed["total"],
                        "top": [f"{e['value']} ({e['memoryCount']})" for e in listed["items"]]}
    return report


def graph_report(client):
    started = time.perf_counter()
    graph = client.request("GET", "/api/memories/graph?limit=500")
    elapsed_ms = (time.perf_counter() - started) * 1000
    nodes, edges = defaultdict(int), defaultdict(int)
    for node in graph["nodes"]:
        nodes[node["kind"]] += 1
    for edge in graph["edges"]:
        edges[edge["kind"]] += 1
    return {"ms": round(elapsed_ms, 1), "nodes": dict(nodes), "edges": dict(edges)}


def main():
    base_url, data_path = sys.argv[1], sys.argv[2]
    samples = json.load(open(data_path))
    anonymous = Api(base_url)
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    account = anonymous.request("POST", "/api/user-auth/register",
                                {"email": email, "password": "benchmark-password-1", "name": "Bench"})
    token = account["accessToken"]

    turns = [t for s in samples for t in turns_of(s)]
    memory_keys, import_seconds = import_turns(base_url, token, turns)

    questions = [(s["sample_id"], q) for s in samples for q in s["qa"]
                 if q["category"] in CATEGORIES and evidence_keys(s["sample_id"], q.get("evidence", []))]
    bm25 = Bm25([t["text"] for t in turns])
    turn_keys = [{(t["metadata"]["conversationId"], t["metadata"]["dialogueId"])} for t in turns]

    client = Api(base_url, token)
    hybrid_rows, bm25_rows, latencies_ms = [], [], []
    for sample_id, question in questions:
        relevant = evidence_keys(sample_id, question["evidence"])
        started = time.perf_counter()
        result = client.request("POST", "/api/memories/search",
                                {"query": question["question"], "limit": 10})
        latencies_ms.append((time.perf_counter() - started) * 1000)
        ranked = [memory_keys.get(item["id"], set()) for item in result["items"]]
        hybrid_rows.append(score(ranked, relevant))
        bm25_rows.append(score([turn_keys[i] for i in bm25.rank(question["question"], 10)], relevant))

    latencies_ms.sort()
    percentile = lambda p: round(latencies_ms[min(len(latencies_ms) - 1, int(p * len(latencies_ms)))], 2)
    print(json.dumps({
        "turns": len(turns),
        "memories_imported": len(memory_keys),
        "import_seconds": round(import_seconds, 1),
        "import_per_second": round(len(turns) / import_seconds, 1),
        "questions": len(questions),
        "hybrid": summarise(hybrid_rows),
        "bm25_baseline": summarise(bm25_rows),
        "auth_latency_ms": auth_latency_ms(base_url),
        "search_latency_ms": {"p50": percentile(0.50), "p95": percentile(0.95),
                              "max": round(latencies_ms[-1], 2)},
        "people": identity_report(client, turns),
        "entities": entity_report(client),
        "graph": graph_report(client),
    }, indent=2))


if __name__ == "__main__":
    main()
