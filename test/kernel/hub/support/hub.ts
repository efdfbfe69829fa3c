// A real JupyterHub (Debian's) for tests, with the configuration `gradlab hub-config` writes and
// the test's own overrides at the end: dummy logins, servers as this user, homes in a temporary
// folder, free loopback ports, and a teacher service whose token may manage users and servers.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { gradlab } from "../../../helpers/cli.js";
import { freePort } from "../../../helpers/net.js";

export const PYTHON = "/usr/bin/python3";

export class TestHub {
  readonly dir = mkdtempSync(join(tmpdir(), "gradlab-hub-"));
  readonly homes = join(this.dir, "homes");
  readonly teacherToken = "teacher-" + Math.random().toString(36).slice(2);
  url = "";
  log = "";
  private hub: ChildProcess | null = null;
  /** Each user's own API token, once `createStudents` made them. */
  readonly tokens = new Map<string, string>();

  /** Installs the kernel under a private prefix, writes the config (`hubConfigArgs` go to hub-config) and starts the hub. */
  async start(hubConfigArgs: string[] = []): Promise<void> {
    mkdirSync(this.homes);
    const prefix = join(this.dir, "prefix");
    expect(gradlab(["install", "--prefix", prefix]).code).toBe(0);
    const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.url = `http://127.0.0.1:${port}`;
    const config = gradlab(["hub-config", "--port", String(port), ...hubConfigArgs]);
    expect(config.code, config.stderr).toBe(0);
    const dir = this.dir;
    writeFileSync(join(dir, "jupyterhub_config.py"), `${config.stdout}
# --- the test's own settings
c.JupyterHub.bind_url = "http://127.0.0.1:${port}"
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "${this.homes}/{username}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:${hubPort}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${apiPort}"
c.JupyterHub.db_url = "sqlite:///${join(dir, "hub.sqlite")}"
c.JupyterHub.cookie_secret_file = "${join(dir, "cookie_secret")}"
c.ConfigurableHTTPProxy.pid_file = "${join(dir, "proxy.pid")}"
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []
c.Spawner.environment.update({"JUPYTER_PATH": "${join(prefix, "share", "jupyter")}", "GRADLAB_BACKEND": "cpu"})
c.JupyterHub.services = [{"name": "teacher", "api_token": "${this.teacherToken}"}]
c.JupyterHub.load_roles = [{"name": "teacher", "services": ["teacher"], "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}]
`);
    const hub = spawn(PYTHON, ["-m", "jupyterhub", "-f", join(dir, "jupyterhub_config.py")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    this.hub = hub;
    hub.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    hub.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`${this.url}/hub/api/`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline || hub.exitCode !== null) throw new Error(`JupyterHub did not start:\n${this.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The hub's REST API as the teacher. */
  async api(path: string, init: RequestInit = {}): Promise<unknown> {
    const r = await fetch(`${this.url}/hub/api${path}`, { ...init, headers: { Authorization: `token ${this.teacherToken}`, ...(init.headers ?? {}) } });
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${await r.text()}\n${this.log.slice(-2000)}`);
    const text = await r.text();
    return text ? (JSON.parse(text) as unknown) : null;
  }

  /** Creates the users through the API, starts their servers at once, and waits until each is ready; keeps a token per user. */
  async createStudents(names: readonly string[]): Promise<void> {
    await this.api("/users", { method: "POST", body: JSON.stringify({ usernames: names }) });
    await Promise.all(names.map((s) => this.api(`/users/${s}/server`, { method: "POST" })));
    for (const s of names) {
      for (let i = 0; ; i++) {
        const user = (await this.api(`/users/${s}`)) as { servers: Record<string, { ready: boolean }> };
        if (user.servers[""]?.ready) break;
        if (i > 120) throw new Error(`${s}'s server is not ready:\n${this.log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      this.tokens.set(s, ((await this.api(`/users/${s}/tokens`, { method: "POST", body: JSON.stringify({ note: "test" }) })) as { token: string }).token);
    }
  }

  async stop(): Promise<void> {
    const hub = this.hub;
    if (hub && hub.exitCode === null) {
      hub.kill("SIGTERM");
      await new Promise((r) => hub.once("exit", r));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
