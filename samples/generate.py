#!/usr/bin/env python3
"""Writes samples/backend-incident.jsonl: 40 minutes of a 6-node backend and its database at 10 s resolution (after
the database's 12 hours before, a point a minute), in Vigil's native JSON (the prometheus-kafka-adapter shape), with
three incidents and three bad records.
`./vigil replay --rules rules/ --input samples/backend-incident.jsonl` gives 15 alert events, six alerts (pending,
firing at the time shown, resolved at the time shown; DatabaseConnectionsAnomalous has no `for`, so no pending):
  06:20-06:26  node-04 CPU pinned near 97 %                  -> NodeCpuSaturated 06:23:50-06:26:50
  06:25-       node-05 leaves the load balancer (traffic ~0) -> NodeTrafficFarBelowPeers 06:27:50- and
                                                                NodeTrafficCollapsed 06:28:40-, firing at the end
  06:30-06:34  db-1 connections surge to ~500, CPU to ~95 %  -> DatabaseConnectionsSurge 06:30:30-06:34:50,
                                                                DatabaseConnectionsAnomalous 06:31:00-06:36:00,
                                                                DatabaseCpuHigh 06:31:10-06:34:40
and skips the bad records, counted on stderr: a value "high" (invalid_value), a line of Prometheus' text format
(invalid_line) and a datapoint without a timestamp (missing_timestamp).
Deterministic (fixed seed), so the file and the alerts it yields never change."""
import json, random
from datetime import datetime, timedelta, timezone

rnd = random.Random(7)
start = datetime(2022, 6, 21, 6, 0, tzinfo=timezone.utc)
nodes = [f"node-0{i}" for i in range(1, 7)]
counters = {n: rnd.randint(10**9, 2 * 10**9) for n in nodes}
out = []

def point(name, labels, value, t, epoch_ms=False):
    ts = int(t.timestamp() * 1000) if epoch_ms else t.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.append(json.dumps({"name": name, "labels": labels, "value": round(value, 3), "timestamp": ts}))

for step in range(240):
    t = start + timedelta(seconds=10 * step)
    minute = step / 6
    for i, n in enumerate(nodes):
        cpu = 40 + 8 * rnd.random() + (2 if step % 30 == 0 else 0)
        if n == "node-04" and 20 <= minute < 26:
            cpu = 96 + 2 * rnd.random()
        labels = {"instance": n, "cluster": "backend", "role": "api" if i % 2 else "web"}
        point("cpu_usage_percent", labels, cpu, t, epoch_ms=(i % 2 == 1))
        rate = 2_000_000 + 200_000 * rnd.random()
        if n == "node-05" and minute >= 25:
            rate = 50 * rnd.random()
        counters[n] += int(rate * 10)
        point("net_transmit_bytes_total", labels, counters[n], t)
    surge = 30 <= minute < 34
    db = {"instance": "db-1", "cluster": "db", "role": "primary"}
    point("db_connections", db, (480 + 60 * rnd.random()) if surge else (110 + 20 * rnd.random()), t)
    point("cpu_usage_percent", db, (93 + 4 * rnd.random()) if surge else (30 + 10 * rnd.random()), t)
    if step == 50:
        out.append('{"name":"cpu_usage_percent","labels":{"instance":"node-01"},"value":"high","timestamp":"2022-06-21T06:08:20Z"}')
    if step == 90:
        out.append('cpu_usage_percent{instance="node-02"} 42')
    if step == 130:
        out.append('{"name":"cpu_usage_percent","labels":{"instance":"node-03"},"value":41.5}')

# Before it, the database's last 12 hours, one point a minute: DatabaseConnectionsAnomalous (a day of history) judges
# once it has half a day. From a random sequence of its own, so the 40 minutes above are the same with or without it.
past = random.Random(6)
history = []
for step in range(-720, 0):
    t = start + timedelta(minutes=step)
    db = {"instance": "db-1", "cluster": "db", "role": "primary"}
    history.append(json.dumps({"name": "db_connections", "labels": db, "value": round(110 + 20 * past.random(), 3),
                               "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    history.append(json.dumps({"name": "cpu_usage_percent", "labels": db, "value": round(30 + 10 * past.random(), 3),
                               "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ")}))

with open("samples/backend-incident.jsonl", "w") as f:
    f.write("\n".join(history + out) + "\n")
print(len(history) + len(out), "lines")
