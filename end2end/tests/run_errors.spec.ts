import { test, expect } from "@playwright/test";
import { admin, salesforce } from "../playwright.config";
import {
  ensureConnected,
  feedContacts,
  signInAndWait,
  startFilteredContactSync,
  syncNow,
  waitForHydration,
} from "./support/actions";
import { keepScreenshot } from "./support/checks";

test("a run with errors groups them by code with a hint, shows their rows, and retries just those once fixed", async ({ page }) => {
  test.setTimeout(180_000);
  const batch = `errors-${Date.now()}`;
  const person = (i: number, lastName: string) => ({
    email: `${batch}-${i}@example.com`,
    first_name: `Person${i}`,
    last_name: lastName,
  });
  // Salesforce requires a Contact's last name: the last two have none yet.
  const good = [0, 1, 2, 3].map((i) => person(i, "Fine"));
  const nameless = [4, 5].map((i) => person(i, ""));
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  await feedContacts(page, [...good, ...nameless]);
  const name = `Errors ${batch.slice(-6)}`;
  await startFilteredContactSync(page, name, batch);
  await syncNow(page, name);

  // Amber: completed with errors. The two are refused before any call, counted as invalid.
  await expect(page.getByTestId("run-status").locator('[data-status="completed_with_errors"]')).toBeVisible({
    timeout: 60_000,
  });
  const failedRunUrl = page.url();
  const failedRunId = failedRunUrl.split("/").pop();
  await expect(page.getByTestId("inserted-ok")).toHaveText("4");
  await expect(page.getByTestId("invalid")).toHaveText("2");

  // Errors by code: one group, its count, and how to fix it.
  const groups = page.getByTestId("error-groups");
  const missing = groups.locator('tr[data-code="REQUIRED_FIELD_MISSING"]');
  await expect(missing).toContainText("2");
  await expect(missing).toContainText("required Salesforce field");
  await keepScreenshot(page, "errors-1-grouped");

  // Show rows: the log narrows to exactly the two contacts, each naming the missing field.
  await missing.getByRole("button", { name: "Show rows" }).click();
  const log = page.getByTestId("log-table");
  await expect(log.getByRole("row")).toHaveCount(3);
  for (const p of nameless) {
    await expect(log.getByRole("row").filter({ hasText: p.email })).toContainText("LastName");
  }
  await keepScreenshot(page, "errors-2-rows");

  // The data is fixed in Komo, then only the failed rows go again.
  await feedContacts(page, nameless.map((p) => ({ ...p, last_name: "Fixed" })));
  // Back to the run through its sync's page, as a person would.
  await page.goto(new URL(failedRunUrl).pathname.replace(/\/runs\/\d+$/, ""));
  await waitForHydration(page);
  await page.getByTestId("runs-table").getByRole("link", { name: `#${failedRunId}`, exact: true }).click();
  await expect(page).toHaveURL(failedRunUrl);
  await page.getByRole("button", { name: "Retry 2 failed" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/(?!${failedRunId}$)\\d+$`));
  await expect(page.getByText("(its failed rows only)")).toBeVisible();
  await expect(page.getByTestId("run-status").locator('[data-status="succeeded"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("selected")).toHaveText("2");
  await expect(page.getByTestId("inserted-ok")).toHaveText("2");
  await expect(page.getByTestId("invalid")).toHaveText("0");
  await expect(page.getByTestId("error-groups")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Retry \d+ failed/ })).toHaveCount(0);
  await keepScreenshot(page, "errors-3-retried");

  // The org now holds all six, the fixed ones with their new last name, none twice.
  const response = await page.request.get(`${salesforce.origin}/__sim/records/Contact`);
  const inOrg = ((await response.json()) as Record<string, string>[]).filter((r) => (r.Email ?? "").includes(batch));
  expect(inOrg).toHaveLength(6);
  expect(inOrg.filter((r) => r.LastName === "Fixed")).toHaveLength(2);

  // The link back reaches the run that failed.
  await page.getByRole("link", { name: /^Run #\d+$/ }).click();
  await expect(page).toHaveURL(failedRunUrl);
});
