import { test, expect, type Page } from "@playwright/test";
import * as fs from "node:fs";
import { admin, salesforce } from "../playwright.config";
import {
  addField,
  createContactSync,
  ensureConnected,
  feedContacts,
  signInAndWait,
  startFilteredContactSync,
  syncNow,
} from "./support/actions";
import { keepScreenshot } from "./support/checks";

/** What the org holds, read through the simulator's control API (the test's window into Salesforce). */
async function orgContacts(page: Page, emailPart: string): Promise<Record<string, string>[]> {
  const response = await page.request.get(`${salesforce.origin}/__sim/records/Contact`);
  expect(response.ok()).toBeTruthy();
  const records = (await response.json()) as Record<string, string>[];
  return records.filter((r) => (r.Email ?? "").includes(emailPart));
}

test("the seed walk: connect, build a sync, rename, start, Sync now, watch it finish, review totals, logs and the CSV", async ({ page }) => {
  test.setTimeout(240_000);
  page.on("console", (m) => { if (m.type() === "error") console.log("CONSOLE", m.text().slice(0, 600)); });
  const batch = `walk-${Date.now()}`;
  const people = Array.from({ length: 30 }, (_, i) => ({
    email: `${batch}-${String(i).padStart(2, "0")}@example.com`,
    first_name: `Person${i}`,
    last_name: "Walker",
    job_title: "Quiz champion",
  }));
  // The org already knows the first ten, with an older title: the run updates them and inserts the rest.
  const known = people.slice(0, 10);
  const seeded = await page.request.post(`${salesforce.origin}/__sim/records/Contact`, {
    data: known.map((p) => ({ Email: p.email, FirstName: p.first_name, LastName: p.last_name, Title: "Old title" })),
  });
  expect(seeded.status()).toBe(201);

  // Step 1: Connected Apps.
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  await expect(page.getByTestId("connection").first()).toContainText("Connected");
  await keepScreenshot(page, "walk-1-connected-apps");
  await feedContacts(page, people);

  // Steps 2–3: create and configure a Contact sync, matched by email, only this batch.
  const name = `Walk ${batch.slice(-6)}`;
  await createContactSync(page, name);
  await expect(page.getByLabel("CRM match field")).toHaveValue("Email");
  await page.getByRole("button", { name: "Add Filter" }).click();
  const rule = page.getByTestId("filter-rule").first();
  await rule.getByLabel("Filter field").selectOption("email");
  await rule.getByLabel("Filter operator").selectOption("contains");
  await rule.getByLabel("Filter value").fill(batch);
  await expect(page.getByTestId("match-count")).toHaveText(/^30 of [\d,]+ contacts$/);
  await page.getByRole("button", { name: "Map all fields with matching names" }).click();
  await expect(page.getByTestId("mapping-row").filter({ hasText: "First name" })).toBeVisible();
  await addField(page, { komo: "job_title" }, "Title");
  await expect(page.getByTestId("mapping-row").filter({ hasText: "Job title" })).toBeVisible();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("save-ok")).toContainText("Saved as version 1");
  await keepScreenshot(page, "walk-3-configured");

  // Rename, start, Sync now.
  await page.getByRole("link", { name }).click();
  const renamed = `${name} (Contacts)`;
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const rename = page.getByRole("dialog", { name: "Rename sync" });
  await rename.getByLabel("Internal name").fill(renamed);
  await rename.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByTestId("sync-name")).toHaveText(renamed);
  await page.getByRole("button", { name: `Actions for ${renamed}` }).click();
  await page.getByRole("menuitem", { name: "Start" }).click();
  await expect(page.getByTestId("sync-status")).toHaveText("Running");
  // Slow the org down a little so the run is seen going, then let it finish.
  await page.request.post(`${salesforce.origin}/__sim/faults`, { data: { latency_ms: 1500 } });
  await syncNow(page, renamed);

  // Step 4: the run page follows the run live and ends on a green tick.
  await expect(page.getByTestId("run-progress")).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel run" })).toBeVisible();
  await keepScreenshot(page, "walk-4-run-progress");
  await expect(page.getByTestId("run-status").locator('[data-status="succeeded"]')).toBeVisible({ timeout: 60_000 });
  await page.request.delete(`${salesforce.origin}/__sim/faults`);
  await expect(page.getByTestId("run-progress")).toHaveCount(0);

  // Step 5: totals, inserts and updates agree with what the org now holds.
  const inOrg = await orgContacts(page, batch);
  expect(inOrg).toHaveLength(30);
  expect(inOrg.every((r) => r.Title === "Quiz champion")).toBeTruthy();
  await expect(page.getByTestId("selected")).toHaveText("30");
  await expect(page.getByTestId("inserted-ok")).toHaveText("20");
  await expect(page.getByTestId("updated-ok")).toHaveText("10");
  await expect(page.getByTestId("inserted-failed")).toHaveText("0");
  await expect(page.getByTestId("updated-failed")).toHaveText("0");
  const crmTotal = Number((await page.getByTestId("crm-total").textContent())?.replace(/,/g, ""));
  expect(crmTotal).toBeGreaterThanOrEqual(10);
  await keepScreenshot(page, "walk-5-run-summary");

  // The logs: every contact once, with its record in the org; filters narrow them.
  const log = page.getByTestId("log-table");
  await expect(log.getByRole("row")).toHaveCount(31);
  const firstRow = log.getByRole("row").filter({ hasText: people[0].email });
  await expect(firstRow).toContainText("Update");
  const orgIds = new Set(inOrg.map((r) => r.Id));
  const linkedId = (await firstRow.getByRole("link").nth(1).textContent())?.trim() ?? "";
  expect(orgIds.has(linkedId)).toBeTruthy();
  await page.getByLabel("Action").selectOption("insert");
  await expect(log.getByRole("row")).toHaveCount(21);
  await page.getByLabel("Outcome").selectOption("failed");
  await expect(page.getByTestId("log-empty")).toHaveText("No rows match these filters.");
  await page.getByLabel("Outcome").selectOption("");
  await page.getByLabel("Action").selectOption("");
  await page.getByLabel("Search by email").fill(`${batch}-2`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(log.getByRole("row")).toHaveCount(11);
  await keepScreenshot(page, "walk-5-run-logs");

  // Download results: a UTF-8 CSV with a BOM and one row per contact, ids as the org holds them.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-results").click(),
  ]);
  const file = await download.path();
  const text = fs.readFileSync(file!, "utf-8");
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const lines = text.slice(1).trim().split("\n");
  expect(lines[0]).toBe("contact_id,email,action,outcome,salesforce_id,error_code,message");
  expect(lines).toHaveLength(31);
  const csvIds = new Set(lines.slice(1).map((l) => l.split(",")[4]));
  expect(csvIds).toEqual(orgIds);

  // Back to the sync by its (new) name: the page lists the run with its green tick and draws it in the chart.
  await page.getByRole("link", { name: renamed, exact: true }).click();
  await expect(page.getByTestId("runs-table").locator('[data-status="succeeded"]')).toHaveCount(1);
  await expect(page.getByTestId("runs-chart")).toBeVisible();
  await keepScreenshot(page, "walk-5-sync-page");
});

test("a running run can be cancelled from its page and keeps what it did", async ({ page }) => {
  test.setTimeout(120_000);
  const batch = `cancel-${Date.now()}`;
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  await feedContacts(page, [
    { email: `${batch}-a@example.com`, first_name: "Ada", last_name: "Cancel" },
    { email: `${batch}-b@example.com`, first_name: "Alan", last_name: "Cancel" },
  ]);
  const name = `Cancel ${batch.slice(-6)}`;
  await startFilteredContactSync(page, name, batch);

  // A slow org keeps the run going long enough to cancel it.
  await page.request.post(`${salesforce.origin}/__sim/faults`, { data: { latency_ms: 2000 } });
  await syncNow(page, name);
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByText("Cancel asked")).toBeVisible();
  await expect(page.getByTestId("run-status").locator('[data-status="cancelled"]')).toBeVisible({ timeout: 60_000 });
  await page.request.delete(`${salesforce.origin}/__sim/faults`);
  await expect(page.getByTestId("run-progress")).toHaveCount(0);
  await keepScreenshot(page, "walk-cancelled-run");
});
