#!/usr/bin/env python3
"""Converts NAB-style CSV series (timestamp,value; UTC) into Vigil native JSON datapoints, one per line.

usage: to_datapoints.py CSV... > datapoints.jsonl

Each series gets the labels file=<name>.csv and instance=<name>, and a metric name for its kind of metric, taken from
the file name the way NAB and CloudWatch name them, so that one rule set per kind applies to files never seen:
  cpu_utilization / CPUUtilization           -> cpu_utilization
  network_in / NetworkIn                     -> network_in
  network_out / NetworkOut                   -> network_out
  disk_write_bytes / DiskWriteBytes          -> disk_write_bytes
  disk_read_bytes / DiskReadBytes            -> disk_read_bytes
  request_count / RequestCount               -> request_count
  any other metric                           -> cloudwatch_metric, with its own name (snake_case) in the label
                                                `metric` when the file name gives one, so the catch-all rules apply
"""
import csv, json, os, re, sys

KINDS = ["cpu_utilization", "network_in", "network_out", "disk_write_bytes", "disk_read_bytes", "request_count"]


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def metric_name(file_name):
    stem = os.path.splitext(os.path.basename(file_name))[0]
    flat = snake(stem)
    for kind in KINDS:
        if kind in flat:
            return kind
    return "cloudwatch_metric"


def metric_label(file_name):
    """NAB names like iio_us-east-1_i-a2eb1cd9_HealthyHostCount: the last CamelCase part is the CloudWatch metric."""
    camel = re.findall(r"([A-Z][a-z]+(?:[A-Z][a-z]+)+)", os.path.splitext(os.path.basename(file_name))[0])
    return snake(camel[-1]) if camel else None


def main(paths):
    # The files are separate captures of different months; merged in time order they are one stream in which every
    # series keeps its own order (a replay drops points more than `grace` behind the newest it has seen).
    rows = []
    for path in paths:
        name = os.path.basename(path)
        labels = {"file": name, "instance": os.path.splitext(name)[0]}
        metric = metric_name(name)
        if metric == "cloudwatch_metric" and metric_label(name):
            labels["metric"] = metric_label(name)
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                ts = row["timestamp"].strip().replace(" ", "T") + "Z"
                rows.append((ts, json.dumps({"name": metric, "labels": labels, "value": float(row["value"]),
                                             "timestamp": ts}, separators=(",", ":"))))
    rows.sort(key=lambda r: r[0])
    sys.stdout.write("".join(line + "\n" for _, line in rows))


if __name__ == "__main__":
    main(sys.argv[1:])
