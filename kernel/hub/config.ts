// `gradlab hub-config`: a jupyterhub_config.py for a classroom on one machine, with the settings
// that matter for gradlab and that a teacher would otherwise find by trial (docs/classroom.md).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseCommand, countOption, UsageError } from "../cli/args.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { packageVersion } from "../handlers/kernel-info.js";
import { packageRoot } from "../paths.js";
import { shareMemoryScript } from "./memory-merge.js";

export interface HubConfigOptions {
  lessons: string;
  /** bin/share-memory.py of this installation. */
  shareMemory: string;
  /** The Python that runs the students' servers (one with JupyterLab), or null for the hub's own. */
  python: string | null;
  courseDir: string;
  port: number;
  version: string;
}

const py = (s: string): string => JSON.stringify(s);

export function hubConfig(o: HubConfigOptions): string {
  return `# jupyterhub_config.py for a gradlab classroom, written by \`gradlab hub-config\` (gradlab ${o.version}).
# Start it as root: jupyterhub -f jupyterhub_config.py   (docs/classroom.md explains each part)
import os
import pwd
import shutil

c = get_config()  # noqa: F821 (JupyterHub provides it)

c.JupyterHub.bind_url = "http://:${o.port}"

# Students log in with their accounts on this machine (PAM); each server runs as that student.
c.JupyterHub.authenticator_class = "pam"
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
# The teacher: an admin of the hub (lists the students for gradlab handout/collect --hub).
# c.Authenticator.admin_users = {"teacher"}
# Everyone with an account may log in unless you list them:
# c.Authenticator.allowed_users = {"ada", "alan"}

# Debian's configurable-http-proxy finds its modules only under Debian's own Node; with another
# Node first on PATH (nodesource, nvm) it fails with "Cannot find module 'commander'".
if os.path.exists("/usr/share/nodejs/configurable-http-proxy"):
    c.ConfigurableHTTPProxy.command = ["/usr/bin/env", "NODE_PATH=/usr/share/nodejs", "configurable-http-proxy"]

# The gradlab kernel must be installed where every user's Jupyter looks: \`gradlab install --system\`
# (/usr/local/share/jupyter). JupyterHub starts servers with a clean environment, so a kernelspec
# under a private prefix named by JUPYTER_PATH would not be seen; these pass through if set.
c.Spawner.env_keep.extend(["JUPYTER_PATH", "GRADLAB_BACKEND", "GRADLAB_CPU_THREADS"])

# Lean kernels: no socket relay process and no interrupt-watcher thread in each student's kernel
# (about 75 MB less per student; the first reply comes ~0.1 s later; an interrupt stops loops,
# awaits and the library's computations, as on WebGPU: docs/kernel.md).
c.Spawner.environment.update({"GRADLAB_LEAN": "1"})

# Kernels share the memory they hold alike (the start-up snapshot, ~70 MB each) through Linux's
# same-page merging. Asked for here, in the hub's process: every server and kernel it starts
# inherits it. It takes effect once root turns KSM on: echo 1 > /sys/kernel/mm/ksm/run
import runpy

_why_not_shared = runpy.run_path(${py(o.shareMemory)})["share_identical_memory"]()
if _why_not_shared:
    print(f"[gradlab] kernels will not share memory: {_why_not_shared}")

# The Python that runs each student's server: ${o.python ? "one with JupyterLab (--python)" : "the hub's own (jupyterhub-singleuser on PATH)"}.
SERVER_PYTHON = ${o.python ? py(o.python) : "None"}
if SERVER_PYTHON:
    c.Spawner.cmd = [SERVER_PYTHON, "-m", "jupyterhub.singleuser"]

# JupyterLab when the servers' Python has it, else the classic notebook (Debian's packages).
import subprocess
import sys

if subprocess.run([SERVER_PYTHON or sys.executable, "-c", "import jupyterlab"], capture_output=True).returncode == 0:
    c.Spawner.default_url = "/lab"
else:
    c.Spawner.environment.update({"JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp"})
    c.Spawner.default_url = "/tree"

# Each student's own copy of the lessons, made when their server first starts: theirs to edit.
# Assignments are not copied (their sources hold the solutions): hand them out with
# \`gradlab handout SOURCE --hub URL --token T\`.
LESSONS = ${py(o.lessons)}
COURSE_DIR = ${py(o.courseDir)}


def home_of(spawner):
    home = getattr(spawner, "home_dir", None)  # SimpleLocalProcessSpawner
    return home or pwd.getpwnam(spawner.user.name).pw_dir


def copy_lessons(spawner):
    home = home_of(spawner)
    target = os.path.join(home, COURSE_DIR)
    if os.path.exists(target) or not os.path.isdir(LESSONS):
        return
    os.makedirs(target)
    for name in sorted(os.listdir(LESSONS)):
        if name.endswith(".ipynb") or name == "README.md":
            shutil.copy(os.path.join(LESSONS, name), os.path.join(target, name))
    try:
        account = pwd.getpwnam(spawner.user.name)
    except KeyError:
        return  # not a system account (a test hub): the files stay the hub's
    for root, dirs, files in os.walk(target):
        for name in [root] + [os.path.join(root, f) for f in files]:
            os.chown(name, account.pw_uid, account.pw_gid)


c.Spawner.pre_spawn_hook = copy_lessons
# Students start in their home: the lessons and their assignments folder side by side.
c.Spawner.notebook_dir = "~"

# One machine, many students: stop servers nobody used for an hour (their kernels go with them).
# Needs the jupyterhub-idle-culler package; without it, leave this commented out.
# c.JupyterHub.services = [{"name": "idle-culler", "command": ["python3", "-m", "jupyterhub_idle_culler", "--timeout=3600"]}]
# c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"], "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
`;
}

export async function hubConfigCommand(args: string[]): Promise<number> {
  const { values } = parseCommand("hub-config", args, {
    output: { type: "string", short: "o" }, lessons: { type: "string" }, "course-dir": { type: "string" }, port: { type: "string" }, python: { type: "string" },
  }, false);
  const python = values.python ? resolve(values.python) : null;
  if (python) {
    const probe = spawnSync(python, ["-c", "import jupyterhub.singleuser"], { encoding: "utf8" });
    if (probe.error) throw new UsageError(`gradlab hub-config: --python ${python}: ${(probe.error as NodeJS.ErrnoException).code === "ENOENT" ? "no such program" : probe.error.message}`);
    if (probe.status !== 0) throw new UsageError(`gradlab hub-config: --python ${python} cannot import jupyterhub.singleuser; make it a venv with --system-site-packages beside Debian's jupyterhub, or pip install jupyterhub into it`);
  }
  const lessons = resolve(values.lessons ?? join(packageRoot(), "notebooks"));
  if (!existsSync(lessons)) throw new UsageError(`gradlab hub-config: --lessons ${lessons}: no such folder`);
  const courseDir = values["course-dir"] ?? "gradlab";
  if (!/^[\w.-]+$/.test(courseDir) || courseDir.startsWith(".")) throw new UsageError(`gradlab hub-config: --course-dir must be a plain folder name, got ${JSON.stringify(courseDir)}`);
  const port = countOption("hub-config", "port", values.port, 8000);
  const text = hubConfig({ lessons, courseDir, port, python, shareMemory: shareMemoryScript(), version: packageVersion(packageRoot()) });
  if (values.output) {
    writeFileAtomic(values.output, text);
    process.stderr.write(`gradlab hub-config: wrote ${values.output}; start the hub with: jupyterhub -f ${values.output}\n`);
  } else process.stdout.write(text);
  return 0;
}
