import { test, expect } from "@playwright/test";
import * as fs from "node:fs";
import { admin, salesforce } from "../playwright.config";
import {
  ensureConnected,
  feedContacts,
  signInAndWait,
  startFilteredContactSync,
  syncNow,
  waitForHydration,
} from "./support/actions";
import { heading } from "./support/locators";
import { keepScreenshot } from "./support/checks";

// Five contacts, two of them bad (row 4: the email, row 5: the date). "Town" matches no field by name, so
// the test maps it by hand.
const csv = [
  "Email,First Name,Last Name,Company,Town,Date of birth",
  "ada@lovelace.example,Ada,Lovelace,Analytical Engines,London,1815-12-10",
  "grace@hopper.example,Grace,Hopper,US Navy,New York,1906-12-09",
  "not-an-email,Bob,Broken,,Oslo,1990-01-01",
  "alan@turing.example,Alan,Turing,Bletchley Park,Wilmslow,23/06/1912",
  "katherine@johnson.example,Katherine,Johnson,NASA,Hampton,1918-08-26",
  "",
].join("\n");

test("import a CSV with some bad rows: progress, error report, contacts in the table", async ({ page }) => {
  await signInAndWait(page, admin.email, admin.password);
  await page.goto("/contacts");
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(heading(page, "Import contacts")).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel("CSV file").setInputFiles({
    name: "contacts.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv),
  });

  // Columns are matched by name; the preview shows the first rows.
  const mapping = page.getByTestId("import-mapping");
  await expect(mapping).toBeVisible();
  await expect(page.getByLabel("Field for column Email")).toHaveValue("email");
  await expect(page.getByLabel("Field for column Date of birth")).toHaveValue("date_of_birth");
  await expect(page.getByLabel("Field for column Town")).toHaveValue("");
  await page.getByLabel("Field for column Town").selectOption("city");
  const preview = page.getByTestId("import-preview");
  await expect(preview.locator("thead")).toContainText("City");
  await expect(preview.locator("tbody tr")).toHaveCount(5);
  await keepScreenshot(page, "import-mapping");

  await page.getByRole("button", { name: "Import contacts" }).click();
  await expect(page.getByTestId("import-percent")).toHaveText("100%");
  await expect(page.getByTestId("import-progress")).toHaveAttribute("value", "100");
  await expect(heading(page, "3. Import finished")).toBeVisible();
  await expect(page.getByTestId("import-counts")).toHaveText("5 rows read · 3 saved · 2 with errors");

  const errors = page.getByTestId("import-errors").locator("tbody tr");
  await expect(errors).toHaveCount(2);
  await expect(errors.nth(0)).toContainText("4");
  await expect(errors.nth(0)).toContainText("not-an-email");
  await expect(errors.nth(1)).toContainText("alan@turing.example");
  await expect(errors.nth(1)).toContainText("date_of_birth");
  await expect(errors.nth(1)).toContainText("YYYY-MM-DD");
  await keepScreenshot(page, "import-finished");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download error report (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^import-\d+-errors\.csv$/);
  const report = fs.readFileSync(await download.path(), "utf-8").trim().split("\n");
  expect(report[0]).toBe("row,email,field,reason");
  expect(report).toHaveLength(3);
  expect(report[1]).toMatch(/^4,not-an-email,email,/);
  expect(report[2]).toMatch(/^5,alan@turing\.example,date_of_birth,.*YYYY-MM-DD/);

  await page.getByRole("link", { name: "View contacts" }).click();
  await expect(page.getByTestId("contacts-count")).toHaveText("3 contacts");
  const table = page.getByTestId("contacts-table");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  await expect(table).toContainText("Ada Lovelace");
  await expect(table).toContainText("London");
  await expect(table).not.toContainText("Alan Turing");
  await keepScreenshot(page, "contacts-after-import");

  // Ada's page: no sync has pushed her yet, and the Syncs panel says so.
  await table.getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page.getByTestId("contact-detail")).toContainText("ada@lovelace.example");
  await expect(heading(page, "Syncs")).toBeVisible();
  await expect(page.getByTestId("contact-syncs-empty")).toContainText("No sync has pushed this contact yet");
});

test("a contact's page shows the sync that pushed it, linked to its Salesforce record", async ({ page }) => {
  test.setTimeout(120_000); // creates, configures and runs a sync first
  await signInAndWait(page, admin.email, admin.password);
  await ensureConnected(page, salesforce);
  const batch = `detail-e2e-${Date.now()}`;
  await feedContacts(page, [{ email: `${batch}-mary@example.com`, first_name: "Mary", last_name: "Jackson" }]);

  // A Contact sync of just this contact: filter on the batch, map the fields by name, save, start, run.
  const name = `Detail check ${batch.slice(-6)}`;
  await startFilteredContactSync(page, name, batch);
  await syncNow(page, name);
  await expect(page.getByTestId("run-status").locator('[data-status="succeeded"]')).toBeVisible({ timeout: 60_000 });

  await page.goto(`/contacts?q=${batch}`);
  await page.getByTestId("contacts-table").getByRole("link", { name: "Mary Jackson" }).click();
  await expect(heading(page, "Syncs")).toBeVisible();
  const row = page.getByTestId("contact-syncs").getByRole("row").filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("link", { name })).toHaveAttribute("href", /^\/crm\/syncs\/\d+$/);
  const record = row.getByRole("link", { name: /^003[A-Za-z0-9]{15}$/ });
  await expect(record).toHaveAttribute("href", `${salesforce.origin}/${await record.textContent()}`);
  await expect(row).toContainText(/just now|min ago/);
  await keepScreenshot(page, "contact-syncs");
});
