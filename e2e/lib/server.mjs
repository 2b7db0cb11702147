// Builds the staffroom binary once, and runs it on a free port against a fresh database.
import { execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root (it holds go.mod): two levels up from e2e/lib. */
export const repoRoot = resolve(here, "..", "..");

/** Where screenshots and the server's log go; gitignored. */
export const artifactsDir = resolve(here, "..", "artifacts");

const run = promisify(execFile);

/**
 * Builds ./cmd/staffroom into a new temporary directory and returns the binary's path.
 * STAFFROOM_E2E_BIN names an already built binary to use instead.
 */
export async function buildBinary(dir) {
  if (process.env.STAFFROOM_E2E_BIN) {
    return resolve(process.env.STAFFROOM_E2E_BIN);
  }
  const bin = join(dir, "staffroom");
  try {
    await run("go", ["build", "-o", bin, "./cmd/staffroom"], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
      timeout: 5 * 60_000,
    });
  } catch (err) {
    throw new Error(`go build ./cmd/staffroom failed:\n${err.stderr || err.message}`);
  }
  return bin;
}

/** Asks the kernel for a port that is free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Starts the server and resolves once GET /readyz answers 200. Returns
 * { baseURL, stop() }. env adds STAFFROOM_* settings. The temporary directory (binary and database) is removed by stop().
 */
export async function startServer({ logName = "server.log", env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "staffroom-e2e-"));
  await mkdir(artifactsDir, { recursive: true });
  let bin;
  try {
    bin = await buildBinary(dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const log = createWriteStream(join(artifactsDir, logName));

  // Another process may take the port between freePort() and the server's bind: try again
  // on a new port when the server exits before it is ready.
  let lastErr;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const dbDir = join(dir, `db${attempt}`);
    await mkdir(dbDir);
    const child = spawn(
      bin,
      ["serve", "--addr", `127.0.0.1:${port}`, "--db", join(dbDir, "staffroom.db"), "--demo=off", "--log-format=text"],
      {
        cwd: dir,
        env: {
          ...process.env,
          STAFFROOM_ADDR: `127.0.0.1:${port}`,
          STAFFROOM_DB: join(dbDir, "staffroom.db"),
          STAFFROOM_DEMO: "off",
          // Every test signs up and in from 127.0.0.1; per-IP limits would make the suite flaky.
          STAFFROOM_RATE_LIMITS: "off",
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const collect = (chunk) => {
      log.write(chunk);
      if (output.length < 64 << 10) output += chunk;
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const exited = new Promise((ok) => child.once("exit", (code, signal) => ok({ code, signal })));
    // Never leave a server behind, even when the test process dies.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);

    const stop = async () => {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        // The server drains for up to 10s; past that, kill it.
        const timer = setTimeout(() => child.kill("SIGKILL"), 12_000);
        await exited;
        clearTimeout(timer);
      }
      await new Promise((ok) => log.end(ok));
      await rm(dir, { recursive: true, force: true });
    };

    const ready = await waitReady(baseURL, exited, 30_000);
    if (ready === true) {
      return { baseURL, stop, logs: () => output, dbPath: join(dbDir, "staffroom.db") };
    }
    lastErr = new Error(`staffroom did not become ready (${ready}); its output:\n${output}`);
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  }
  log.end();
  await rm(dir, { recursive: true, force: true });
  throw lastErr;
}

// Polls /readyz until it answers 200. Returns true, or a reason.
async function waitReady(baseURL, exited, timeoutMs) {
  let gone = null;
  exited.then((res) => (gone = res));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) return `it exited with ${gone.signal || `code ${gone.code}`}`;
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return `no 200 from /readyz within ${timeoutMs / 1000}s`;
}
