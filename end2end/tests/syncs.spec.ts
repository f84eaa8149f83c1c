import { test, expect } from "@playwright/test";
import { admin, salesforce } from "../playwright.config";
import { addField, addMember, firstSignIn, ensureConnected, feedContacts, signInAndWait, waitForHydration } from "./support/actions";
import { heading } from "./support/locators";
import { expectRefusedPage, keepScreenshot } from "./support/checks";

test("a super user creates a Lead sync, fixes the missing Company, filters, maps, saves, renames and starts it", async ({ page }) => {
  test.setTimeout(180_000); // a long walk through two pages
  page.on("console", (m) => { if (m.type() === "error") console.log("CONSOLE", m.text().slice(0, 600)); });
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  const batch = `sync-e2e-${Date.now()}`;
  const name = `Quiz entrants ${batch.slice(-6)}`;
  const renamed = `${name} to Salesforce`;
  await feedContacts(page, [
    { email: `${batch}-ada@example.com`, first_name: "Ada", last_name: "Lovelace", marketing_opt_in: true },
    { email: `${batch}-alan@example.com`, first_name: "Alan", last_name: "Turing", marketing_opt_in: true },
    { email: `${batch}-grace@example.com`, first_name: "Grace", last_name: "Hopper", marketing_opt_in: false },
  ]);

  // Step 2: CRM → Syncs, + Create Sync, pick the CRM and the data source.
  await page.goto("/crm/syncs");
  await waitForHydration(page);
  await page.getByRole("button", { name: "+ Create Sync" }).first().click();
  const create = page.getByRole("dialog", { name: "Create sync" });
  await expect(create.getByLabel("CRM")).toContainText(salesforce.origin.replace(/^https?:\/\//, ""));
  await create.getByLabel("Lead").check();
  await create.getByLabel("Internal name").fill(name);
  await create.getByRole("button", { name: "Create and configure" }).click();
  await expect(page).toHaveURL(/\/crm\/syncs\/\d+\/configure$/);
  await expect(page.getByText(/\d+ Lead fields available from Salesforce/)).toBeVisible();
  await expect(page.getByLabel("Lead")).toBeChecked();

  // Match: Email ↔ Email is suggested, compared without regard to case.
  await expect(page.getByLabel("CRM match field")).toHaveValue("Email");
  await expect(page.getByTestId("match-hint")).toContainText("without regard to case");

  // An incompatible pair is refused in the dialog before it is added.
  await page.getByRole("button", { name: "Add Field" }).click();
  const dialog = page.getByRole("dialog", { name: "Add field" });
  await dialog.getByLabel("Komo field", { exact: true }).selectOption("marketing_opt_in");
  await dialog.getByLabel("Salesforce field", { exact: true }).selectOption("Company");
  await expect(dialog.getByRole("alert")).toContainText("cannot be written to Company");
  await expect(dialog.getByRole("button", { name: "(c) Add" })).toBeDisabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Map the last name only, and Save: Lead also needs Company on insert, and Save says so.
  await addField(page, { komo: "last_name" }, "LastName");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("save-problems")).toContainText("Lead requires Company on insert");
  await keepScreenshot(page, "sync-missing-company");

  // Fix it with a constant; the problem goes away as soon as it is fixed.
  await addField(page, { constant: "Komo quiz entrants" }, "Company");
  await expect(page.getByTestId("save-problems")).toHaveCount(0);

  // Filters: add one and delete it with its bin, then build the ones we keep; the live count follows.
  await page.getByRole("button", { name: "Add Filter" }).click();
  await expect(page.getByTestId("filter-rule")).toHaveCount(1);
  await page.getByTestId("filter-rule").getByRole("button", { name: "Delete filter" }).click();
  await expect(page.getByTestId("filter-rule")).toHaveCount(0);
  const count = page.getByTestId("match-count");
  await expect(count).toHaveText(/^[\d,]+ of [\d,]+ contacts$/);
  const total = (await count.textContent())?.match(/of ([\d,]+) contacts/)?.[1];
  await page.getByRole("button", { name: "Add Filter" }).click();
  const first = page.getByTestId("filter-rule").nth(0);
  await first.getByLabel("Filter field").selectOption("email");
  await first.getByLabel("Filter operator").selectOption("contains");
  await first.getByLabel("Filter value").fill(batch);
  await expect(count).toHaveText(`3 of ${total} contacts`);
  await page.getByRole("button", { name: "Add Filter" }).click();
  const second = page.getByTestId("filter-rule").nth(1);
  await second.getByLabel("Filter field").selectOption("marketing_opt_in");
  await second.getByLabel("Filter operator").selectOption("is true");
  await expect(count).toHaveText(`2 of ${total} contacts`);

  // Map the rest by name.
  await page.getByRole("button", { name: "Map all fields with matching names" }).click();
  await expect(page.getByRole("status").filter({ hasText: /Mapped \d+ field/ })).toBeVisible();
  const mapped = page.getByTestId("mapping-row");
  await expect(mapped.filter({ hasText: "First name" })).toContainText("First Name (string, 40)");

  // Leaving with unsaved changes asks first; staying keeps everything.
  await expect(page.getByTestId("dirty-state")).toHaveText("Unsaved changes");
  page.once("dialog", (question) => question.dismiss());
  await page.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/configure$/);

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("save-ok")).toContainText("Saved as version 1");
  await expect(page.getByTestId("dirty-state")).toHaveText("All changes saved");
  await keepScreenshot(page, "sync-configured");

  // The sync's page: rename from the menu, then start it.
  await page.getByRole("link", { name }).click();
  await expect(page.getByTestId("sync-name")).toHaveText(name);
  await expect(page.getByTestId("sync-status")).toHaveText("Stopped");
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const rename = page.getByRole("dialog", { name: "Rename sync" });
  await rename.getByLabel("Internal name").fill(renamed);
  await rename.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByTestId("sync-name")).toHaveText(renamed);
  await page.getByRole("button", { name: `Actions for ${renamed}` }).click();
  await page.getByRole("menuitem", { name: "Start" }).click();
  await expect(page.getByTestId("sync-status")).toHaveText("Running");
  await expect(page.getByRole("definition").filter({ hasText: "Version 1" })).toBeVisible();
  await page.getByText("Configuration history").click();
  await expect(page.locator(".versions")).toContainText("First version");
  await expect(heading(page, "No runs yet")).toBeVisible();
  await keepScreenshot(page, "sync-page");

  // The list shows it Running on Lead.
  await page.goto("/crm/syncs");
  const row = page.getByTestId("syncs-table").getByRole("row").filter({ hasText: renamed });
  await expect(row).toContainText("Lead");
  await expect(row).toContainText("Running");
  await expect(row).toContainText("Never run");
  await keepScreenshot(page, "syncs-list");
});

test("a member is refused the sync pages", async ({ page, browser }) => {
  await signInAndWait(page, admin.email, admin.password);
  const member = await addMember(page, "Sam Member");
  const context = await browser.newContext();
  const memberPage = await context.newPage();
  await firstSignIn(memberPage, member);
  for (const path of ["/crm/syncs", "/crm/syncs/1", "/crm/syncs/1/configure", "/crm/syncs/1/runs/1"]) {
    await expectRefusedPage(memberPage, await memberPage.goto(path));
  }
  await context.close();
});
