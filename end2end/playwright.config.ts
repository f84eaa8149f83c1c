import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// The test command builds the release app and tells us where it is; by default we look in ../target.
const serverBin = process.env.KOMO_E2E_SERVER_BIN ?? path.resolve(__dirname, "../target/release/server");
const siteRoot = process.env.KOMO_E2E_SITE_ROOT ?? path.resolve(__dirname, "../target/site");
const simBin = process.env.KOMO_E2E_SIM_BIN ?? path.resolve(__dirname, "../target/debug/salesforce-sim");
const port = process.env.KOMO_E2E_PORT ?? "3100";
const simPort = process.env.KOMO_E2E_SIM_PORT ?? "3190";
export const baseURL = `http://127.0.0.1:${port}`;

/** The Salesforce simulator the app is allowed to reach (and only in tests and the demo). */
export const salesforce = {
  origin: `http://127.0.0.1:${simPort}`,
  clientId: "e2e-connected-app",
  clientSecret: "e2e-consumer-secret",
  runAs: "integration@sim.example",
};

// A fresh database for every run, so tests never depend on what an earlier run left behind.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "komo-e2e-"));

export const admin = {
  email: "admin@acme.example",
  password: "e2e super user password",
  workspace: "Acme Events",
  initials: "AE",
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `${simBin} --port ${simPort} --client-id ${salesforce.clientId} --client-secret ${salesforce.clientSecret}`,
      url: `${salesforce.origin}/services/data/`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
    command: serverBin,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      KOMO_ADDR: `127.0.0.1:${port}`,
      KOMO_DATA_DIR: dataDir,
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_OUTPUT_NAME: "komo-sync",
      KOMO_WORKSPACE_NAME: admin.workspace,
      KOMO_ADMIN_EMAIL: admin.email,
      KOMO_ADMIN_PASSWORD: admin.password,
      KOMO_FRAME_ANCESTORS: "http://127.0.0.1:3199",
      KOMO_SALESFORCE_EXTRA_ORIGINS: salesforce.origin,
      RUST_LOG: "warn",
    },
    },
  ],
});
