// What `gradlab --help` and `gradlab <command> --help` print.

export const COMMANDS = ["install", "kernel", "snapshot", "lab", "run", "assign", "handout", "collect", "grade", "book", "hub-config"] as const;
export type Command = (typeof COMMANDS)[number];

const HELP: Record<Command, string> = {
  install: `usage: gradlab install [--user | --sys-prefix | --system | --prefix DIR]

Writes the Jupyter kernelspec "gradlab" (no Python needed).
  --user         for you only (default, unless run as root)
  --sys-prefix   into the active virtual or conda environment
  --system       for every user of this machine (/usr/local/share/jupyter; default as root):
                 what a JupyterHub needs, so every student's server sees the kernel
  --prefix DIR   into DIR/share/jupyter (then name it in JUPYTER_PATH)`,
  kernel: `usage: gradlab kernel --connection-file FILE

Runs the kernel; Jupyter starts this with the connection file it wrote.`,
  snapshot: `usage: gradlab snapshot [--quiet]

Builds this user's start-up snapshot now (otherwise it is built after the first start).`,
  lab: `usage: gradlab lab [jupyter-lab options]

JupyterLab on the lessons with the gradlab kernel (what npm start runs). Installs JupyterLab and
its widget manager into .venv/ with pip the first time. Every option goes to jupyter-lab
(see jupyter-lab --help), e.g. gradlab lab --port 9999 --no-browser.`,
  run: `usage: gradlab run NOTEBOOK… [-o OUT | --inplace] [--timeout S] [--continue-on-error]
                   [--server URL --token T]

Executes notebooks headless; exit 1 if a cell fails, 2 for bad usage.
  -o, --output OUT       where the executed notebook goes (a folder with several notebooks)
  --inplace              write the outputs back into each notebook
  --timeout S            seconds each cell may run (default 600)
  --continue-on-error    run the remaining cells after a failing one
  --server URL           run on a Jupyter server (e.g. a JupyterHub user's /user/NAME/)
  --token T              that server's token`,
  assign: `usage: gradlab assign SOURCE -o STUDENT

Writes the student copy of an assignment: solutions replaced by stubs, hidden tests removed.`,
  handout: `usage: gradlab handout SOURCE (--homes DIR… | --homes-in PARENT | --hub URL --token T)
                       [--dir SUBDIR] [--home-template T]

Puts the student copy of SOURCE into every student's home: HOME/SUBDIR/NAME.ipynb (SUBDIR
defaults to "assignments"), owned by the student. A student who already has the file keeps it.
  --homes DIR…           students' home folders; each folder's name is the student's name
  --homes-in PARENT      every folder in PARENT is a student's home (e.g. /home)
  --hub URL --token T    the students are the users of this JupyterHub (an admin token)
  --home-template T      where a hub user's home is (default /home/{username})
  --dir SUBDIR           the folder inside each home (default assignments)`,
  collect: `usage: gradlab collect NAME.ipynb (--homes DIR… | --homes-in PARENT | --hub URL --token T)
                       -o FOLDER [--dir SUBDIR] [--due TIME] [--home-template T]

Copies each student's HOME/SUBDIR/NAME.ipynb to FOLDER/STUDENT.ipynb, never changing the
student's file, and writes FOLDER/collected.json: who handed in, when, who is late or missing.
  --due TIME             deadline (ISO 8601, e.g. 2026-12-10T23:59); later files are marked late
  (other options as for gradlab handout)`,
  grade: `usage: gradlab grade SUBMISSION|FOLDER… --source SOURCE [--gradebook DIR] [--json]
                     [--timeout S] [--parallel N] [--memory MB] [--sandbox auto|bwrap|node]

Runs each submission with the instructor's tests (visible and hidden) and scores it. Each runs
sandboxed: it sees the library and a private copy of its own notebook, nothing else.
  --source SOURCE        the instructor's notebook, with solutions and hidden tests
  --gradebook DIR        write DIR/gradebook.csv, DIR/gradebook.json and DIR/feedback/*.ipynb
  --json                 print the reports as JSON
  --timeout S            seconds each cell may run (default 60)
  --parallel N           submissions graded at once (default: the number of cores)
  --memory MB            memory one submission may use (default 2048)
  --sandbox MODE         bwrap: Linux namespaces with bubblewrap (no network, no other files,
                         no processes) plus Node's permission model; node: Node's permission
                         model alone (files and processes only); auto (default): bwrap when it works`,
  book: `usage: gradlab book [NOTEBOOK…] [-o SITE] [--timeout S]

Runs the lessons and writes a static course site (default: notebooks/*.ipynb → site/).
  -o, --output SITE      the site's folder
  --timeout S            seconds each cell may run (default 600)`,
  "hub-config": `usage: gradlab hub-config [-o FILE] [--python PYTHON] [--lessons DIR] [--course-dir NAME] [--port N]

Writes a jupyterhub_config.py for a classroom: local students with PAM login, each server
with JupyterLab and the gradlab kernel, the lessons copied into each new student's home,
lean kernels (GRADLAB_LEAN), and kernels that share identical memory once root turns on
Linux's KSM (echo 1 > /sys/kernel/mm/ksm/run). docs/classroom.md explains each part.
  -o, --output FILE      where to write it (default: print it)
  --python PYTHON        the Python that runs each student's server, one with JupyterLab
                         (docker/setup.sh makes /opt/gradlab-venv/bin/python); default: the hub's
  --lessons DIR          the lessons each student gets (default: this package's notebooks/)
  --course-dir NAME      the folder in each home (default gradlab)
  --port N               the hub's port (default 8000)`,
};

export function helpFor(command: Command): string {
  return HELP[command];
}

export function overview(version: string): string {
  return `gradlab ${version}: a Jupyter kernel for learning deep learning in TypeScript

usage: gradlab <command> [options]     (gradlab <command> --help for its options)

  install      register the Jupyter kernel (--user, --system, --prefix DIR)
  lab          JupyterLab on the lessons with this kernel (what npm start runs)
  run          execute notebooks headless
  book         run the lessons and write a static course site
  assign       write the student copy of an assignment
  handout      put an assignment into every student's home
  collect      copy every student's submission into one folder
  grade        score submissions, sandboxed; a gradebook and feedback notebooks
  hub-config   a jupyterhub_config.py for a classroom
  kernel       run the kernel (Jupyter starts this)
  snapshot     build the start-up snapshot now

  gradlab --version   the version`;
}

export function isCommand(name: string | undefined): name is Command {
  return (COMMANDS as readonly (string | undefined)[]).includes(name);
}
