"""Reference side of the TextFSM differential test: Debian's python3-textfsm (and Python's re)
run on the same templates and inputs as the TypeScript engine. Reads one JSON job on stdin,
writes one JSON answer on stdout. Run with /usr/bin/python3, whose path has dist-packages."""
import json
import os
import re
import sys
import time

import textfsm
from textfsm import clitable


def outcome(run):
    try:
        return {"records": run()}
    except textfsm.TextFSMTemplateError as e:
        return {"error": {"kind": "template", "message": str(e)}}
    except textfsm.TextFSMError as e:
        return {"error": {"kind": "parse", "message": str(e)}}
    except clitable.CliTableError as e:
        return {"error": {"kind": "index", "message": str(e)}}
    except re.error as e:
        return {"error": {"kind": "template", "message": "re.error: %s" % e}}
    except Exception as e:  # a crash of the reference itself; the test reports it
        return {"error": {"kind": "crash", "message": "%s: %s" % (type(e).__name__, e)}}


def read_text(path):
    # newline='' keeps \r and friends, so both sides see the same string and splitlines() decides
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def parse_case(template_path, text):
    with open(template_path, encoding="utf-8") as f:
        fsm = textfsm.TextFSM(f)
    return fsm.ParseTextToDicts(text)


def run_case(case):
    results = []
    for input_path in case["inputs"]:
        text = read_text(input_path)
        results.append(outcome(lambda: parse_case(case["template"], text)))
    return results


def run_lookup(lookup):
    """The index row clitable picks; one template is parsed by TextFSM itself (clitable would turn
    nested List objects into strings), several are merged by clitable."""
    table = clitable.CliTable("index", lookup["dir"])
    text = read_text(lookup["input"])
    row = table.index.GetRowMatch(lookup["attributes"])
    if not row:
        return {"error": {"kind": "index", "message": "no template for %s" % lookup["attributes"]}}
    templates = table.index.index[row]["Template"].split(":")

    def parse():
        if len(templates) == 1:
            return parse_case(os.path.join(lookup["dir"], templates[0]), text)
        table.ParseCmd(text, lookup["attributes"])
        return [dict(zip(table.header, row.values)) for row in table]

    answer = outcome(parse)
    answer["templates"] = templates
    return answer


def run_regex(item):
    try:
        rx = re.compile(item["pattern"])
    except re.error as e:
        return {"error": str(e)}
    out = []
    for subject in item["subjects"]:
        m = rx.match(subject)
        out.append(None if m is None else [m.group(0)] + list(m.groups()))
    return {"matches": out}


def bench(item):
    """Lines per second (median of the rounds) for one compiled template over one input."""
    with open(item["template"], encoding="utf-8") as f:
        fsm = textfsm.TextFSM(f)
    text = read_text(item["input"])
    lines = len(text.splitlines())
    rates = []
    for _ in range(item.get("rounds", 5)):
        start = time.perf_counter()
        for _ in range(item["repeat"]):
            fsm.Reset()
            fsm.ParseText(text)
        elapsed = time.perf_counter() - start
        rates.append(lines * item["repeat"] / elapsed)
    rates.sort()
    return {"linesPerSecond": rates[len(rates) // 2]}


def main():
    job = json.load(sys.stdin)
    answer = {
        "cases": [run_case(c) for c in job.get("cases", [])],
        "lookups": [run_lookup(l) for l in job.get("lookups", [])],
        "regex": [run_regex(r) for r in job.get("regex", [])],
        "bench": [bench(b) for b in job.get("bench", [])],
    }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
