import { test, expect } from "@playwright/test";
import { admin, salesforce } from "../playwright.config";
import {
  ensureConnected,
  feedContacts,
  signInAndWait,
  startFilteredContactSync,
  syncNow,
} from "./support/actions";

// Every page must come alive when opened by its address (a reload, a bookmark, a link from the Komo
// workspace), not only when reached by clicking through the app: a page that renders on the server but
// fails to hydrate looks right and ignores every click.
test("every page hydrates when opened by its address, with nothing logged as an error", async ({ page }) => {
  test.setTimeout(180_000);
  const batch = `direct-${Date.now()}`;
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  // One contact without a last name, so the run page has error groups and failed log rows to render.
  await feedContacts(page, [
    { email: `${batch}-0@example.com`, first_name: "Ada", last_name: "Direct" },
    { email: `${batch}-1@example.com`, first_name: "Nameless", last_name: "" },
  ]);
  const name = `Direct ${batch.slice(-6)}`;
  await startFilteredContactSync(page, name, batch);
  const syncPath = new URL(page.url()).pathname;
  await syncNow(page, name);
  await expect(page.getByTestId("run-status").locator('[data-status="completed_with_errors"]')).toBeVisible({
    timeout: 60_000,
  });
  const runPath = new URL(page.url()).pathname;

  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));

  // The run page three times: its parts load side by side on the server, and a race between them once
  // broke hydration only some of the time.
  const paths = [
    runPath,
    runPath,
    runPath,
    `${syncPath}/configure`,
    syncPath,
    "/crm/syncs",
    "/contacts",
    "/contacts/import",
    "/settings",
    "/settings/connected-apps",
    "/settings/users",
    "/settings/api-tokens",
    "/settings/contact-properties",
  ];
  const dead: string[] = [];
  const openHydrated = async (path: string) => {
    await page.goto(path);
    // Auto-waits for the marker the WASM bundle sets once hydration has finished.
    const hydrated = await page
      .locator('body[data-hydrated="true"]')
      .waitFor({ state: "attached", timeout: 15_000 })
      .then(
        () => true,
        () => false,
      );
    if (!hydrated) dead.push(path);
  };
  for (const path of paths) await openHydrated(path);
  // Hydrated means working: on the run page opened by its address, the error group's button filters the log.
  await openHydrated(runPath);
  expect(dead, "pages that did not hydrate").toEqual([]);
  expect(errors, "console errors while loading the pages").toEqual([]);
  await page.getByTestId("error-groups").getByRole("button", { name: "Show rows" }).click();
  await expect(page.getByTestId("log-table").getByRole("row")).toHaveCount(2);
});
