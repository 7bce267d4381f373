#!/usr/bin/env python3
"""Run the script lines of the GitLab CI/CD component (templates/gongkai.yml) here.

Usage: run_gitlab.py PROJECT_DIR [input=value ...]

The component's `$[[ inputs.x ]]` are replaced by the given values or the spec's defaults, as
GitLab does when it includes the component; then the job's variables are exported and its script
lines run in one bash session with `set -eo pipefail`, in PROJECT_DIR, as a GitLab runner runs
them (with CI_PROJECT_DIR and CI set). Exits with the job's status. What needs the hosted
service (the image, the cache, the artifacts upload) is not run: the caller checks the files.
"""

import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    project = os.path.abspath(sys.argv[1])
    given = dict(arg.split("=", 1) for arg in sys.argv[2:])
    text = open(os.path.join(ROOT, "templates", "gongkai.yml"), encoding="utf-8").read()
    header, body = list(yaml.safe_load_all(text))[0], text.split("\n---\n", 1)[1]
    inputs = {name: str(spec.get("default", "")) for name, spec in header["spec"]["inputs"].items()}
    unknown = set(given) - set(inputs)
    if unknown:
        sys.exit(f"unknown input(s): {sorted(unknown)}")
    inputs.update(given)

    def value(m):
        name = m.group(1)
        if name not in inputs:
            sys.exit(f"the template uses an input the spec does not declare: {name}")
        return inputs[name]

    jobs = yaml.safe_load(re.sub(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]", value, body))
    (name, job), = jobs.items()
    lines = ["set -eo pipefail"]
    for k, v in job.get("variables", {}).items():
        if not isinstance(v, str):
            sys.exit(f"variable {k} is not a string after substitution ({v!r}): quote it in the template")
        lines.append(f"export {k}={shlex.quote(v)}")
    # GitLab expands $VAR inside variables; do the same once they are all defined
    lines += [f'export {k}="$(eval "printf %s \\"${k}\\"")"' for k in job.get("variables", {})]
    for line in job["script"]:
        lines.append(f"printf '%s\\n' {shlex.quote('$ ' + line)}")
        lines.append(line)
    env = dict(os.environ, CI="true", GITLAB_CI="true", CI_PROJECT_DIR=project, CI_JOB_NAME=name)
    print(f"--- job {name} (stage {job.get('stage')}, image {job.get('image')}: not used here)", flush=True)
    code = subprocess.run(["bash", "--noprofile", "--norc", "-c", "\n".join(lines)], cwd=project, env=env).returncode
    print(f"--- job {name}: exit {code}", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
