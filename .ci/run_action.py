#!/usr/bin/env python3
"""Run the shell steps of the composite action (action.yml) here, as a GitHub runner would.

Usage: run_action.py WORKSPACE [input=value ...]

Each `run:` step runs with `bash --noprofile --norc -eo pipefail`, in its working directory, with its
`env:` evaluated and the variables a runner sets (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP,
GITHUB_WORKSPACE, CI...). `${{ }}` expressions and `if:` conditions are evaluated for the contexts
the action uses (inputs, steps.*.outputs, github.action_path, github.workspace, runner.*, always(),
success()). `uses:` steps need the hosted service: they are skipped, with their outputs empty (a
cache miss). Exits with the status of the first failing step (as the job would), else 0. The
runner's temporary folder, with the step summary, is printed at the end for the caller to inspect.
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    workspace = os.path.abspath(sys.argv[1])
    given = dict(arg.split("=", 1) for arg in sys.argv[2:])
    action = yaml.safe_load(open(os.path.join(ROOT, "action.yml"), encoding="utf-8"))
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    if unknown:
        sys.exit(f"unknown input(s): {sorted(unknown)}")
    inputs.update(given)

    temp = tempfile.mkdtemp(prefix="gongkai-action-")
    summary = os.path.join(temp, "step_summary.md")
    open(summary, "w").close()
    context = {
        "inputs": inputs,
        "steps": {},
        "github": {"action_path": ROOT, "workspace": workspace},
        "runner": {"os": "Linux", "temp": temp},
    }
    failed = 0

    def lookup(path):
        value = context
        for part in path.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value if isinstance(value, str) else ""

    def substitute(text):
        return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: str(evaluate(m.group(1))), str(text))

    def evaluate(expr):
        expr = re.sub(r"\b(?:inputs|steps|github|runner)\.[A-Za-z0-9_.-]+", lambda m: repr(lookup(m.group(0))), expr)
        expr = expr.replace("always()", "True").replace("success()", repr(failed == 0))
        expr = expr.replace("&&", " and ").replace("||", " or ").replace("!=", " != ").replace("==", " == ")
        expr = re.sub(r"!(?!=)", " not ", expr)
        return eval(expr, {"__builtins__": {}}, {})  # the expressions come from our own action.yml

    for number, step in enumerate(action["runs"]["steps"], 1):
        name = step.get("id") or step.get("uses") or f"step {number}"
        condition = step.get("if", "success()")
        condition = re.sub(r"^\$\{\{\s*(.*?)\s*\}\}$", r"\1", str(condition).strip())
        if not evaluate(condition):
            print(f"--- {name}: skipped (if: {condition})", flush=True)
            continue
        if "uses" in step:
            print(f"--- {name}: skipped here (needs the hosted service: {step['uses']})", flush=True)
            if "id" in step:
                context["steps"][step["id"]] = {"outputs": {}}
            continue
        output = os.path.join(temp, f"output_{number}")
        open(output, "w").close()
        env = dict(os.environ)
        env.update({k: substitute(v) for k, v in step.get("env", {}).items()})
        env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": output,
                "GITHUB_STEP_SUMMARY": summary,
                "GITHUB_WORKSPACE": workspace,
                "GITHUB_ACTION_PATH": ROOT,
                "RUNNER_TEMP": temp,
                "RUNNER_OS": "Linux",
            }
        )
        cwd = substitute(step.get("working-directory", workspace))
        print(f"--- {name}: run", flush=True)
        code = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env
        ).returncode
        outputs = {}
        for line in open(output, encoding="utf-8"):
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                outputs[key] = value
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs}
        print(f"--- {name}: exit {code}, outputs {outputs}", flush=True)
        if code != 0 and failed == 0:
            failed = code
    print(f"runner temp: {temp}")
    sys.exit(failed)


if __name__ == "__main__":
    main()
