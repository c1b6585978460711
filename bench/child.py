"""Measuring in a fresh process: a benchmark runs itself again with `--child …` (so
each figure starts from a cold process and its peak memory is its own) and reads back
the `key number …` lines the child prints."""

import subprocess
import sys


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run `script` with `args` in a new interpreter; its lines `key value [more]` as
    {key: value}; `pages N BYTES` also gives `bytes`. A failing child stops the bench
    with its error output."""
    done = subprocess.run([sys.executable, script, *args], capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    values = {}
    for line in done.stdout.splitlines():
        key, *numbers = line.split()
        values[key] = float(numbers[0])
        if key == "pages":
            values["bytes"] = float(numbers[1])
    return values
