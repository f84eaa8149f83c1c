import type { Page } from "@playwright/test";
import { expect } from "@playwright/test";
import { workspaceInitials } from "./locators";

/** Signs in through the form, as a person would. Waits for hydration before typing. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInAndWait(page: Page, email: string, password: string) {
  await signIn(page, email, password);
  await expect(workspaceInitials(page)).toBeVisible();
}

export async function openWorkspaceMenu(page: Page) {
  await workspaceInitials(page).click();
}

export async function signOut(page: Page) {
  await openWorkspaceMenu(page);
  await page.getByRole("menuitem", { name: "Sign out" }).click();
}

/** The WASM bundle marks the body once hydrated; before that a click would be a plain form post. */
export async function waitForHydration(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
}

/** The super user adds a member on the Users page; returns their credentials. */
export async function addMember(page: Page, name: string) {
  const member = { email: `member-${Date.now()}@acme.example`, password: "member password 123" };
  await page.goto("/settings/users");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(member.email);
  await page.getByLabel("Initial password").fill(member.password);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("users-table").getByText(member.email)).toBeVisible();
  return member;
}

/**
 * A member's first sign-in with the password a super user chose: the app sends them to choose their own
 * before anything else. Returns the password they chose.
 */
export async function firstSignIn(page: Page, member: { email: string; password: string }) {
  await signIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole("heading", { name: "Choose your password" })).toBeVisible();
  await waitForHydration(page);
  const chosen = `${member.password} of my own`;
  await page.getByLabel("Current password").fill(member.password);
  await page.getByLabel(/^New password/).fill(chosen);
  await page.getByLabel("Repeat the new password").fill(chosen);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(workspaceInitials(page)).toBeVisible();
  return chosen;
}

/** Connects the simulator's org unless a connection exists already (the specs may run in any order). */
export async function ensureConnected(page: Page, org: { origin: string; clientId: string; clientSecret: string }) {
  await page.goto("/settings/connected-apps");
  await waitForHydration(page);
  const cards = page.getByTestId("connection");
  const empty = page.getByText("No org connected yet.");
  await expect(cards.first().or(empty)).toBeVisible();
  if (await empty.isVisible()) {
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const form = page.getByRole("form", { name: "Connect Salesforce" });
    await form.getByLabel("CRM Domain Name").fill(org.origin);
    await form.getByLabel("Client ID").fill(org.clientId);
    await form.getByLabel("Client Secret").fill(org.clientSecret);
    await form.getByRole("button", { name: /Connect/ }).click();
    await expect(cards).toHaveCount(1);
  }
}

/** Feeds contacts through the REST API with a token made on the API tokens page, as the Komo workspace would. */
export async function feedContacts(page: Page, contacts: Record<string, unknown>[]) {
  await page.goto("/settings/api-tokens");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(`e2e feed ${Date.now()}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())?.trim();
  expect(token, "a token is shown once").toBeTruthy();
  const response = await page.request.post("/api/v1/contacts/bulk", {
    headers: { Authorization: `Bearer ${token}` },
    data: { contacts },
  });
  expect(response.status()).toBe(200);
}

/** Adds one mapping through the `+ Add Field` dialog. */
export async function addField(page: Page, from: { komo?: string; constant?: string }, crmField: string) {
  await page.getByRole("button", { name: "Add Field" }).click();
  const dialog = page.getByRole("dialog", { name: "Add field" });
  if (from.constant !== undefined) {
    await dialog.getByLabel("A constant").check();
    await dialog.getByLabel("Constant value").fill(from.constant);
  } else if (from.komo !== undefined) {
    await dialog.getByLabel("Komo field", { exact: true }).selectOption(from.komo);
  }
  await dialog.getByLabel("Salesforce field", { exact: true }).selectOption(crmField);
  await dialog.getByRole("button", { name: "(c) Add" }).click();
  await expect(dialog).toHaveCount(0);
}

/** CRM → Syncs, + Create Sync, a Contact sync named `name`; leaves the browser on its Configure page. */
export async function createContactSync(page: Page, name: string) {
  await page.goto("/crm/syncs");
  await waitForHydration(page);
  await page.getByRole("button", { name: "+ Create Sync" }).first().click();
  const create = page.getByRole("dialog", { name: "Create sync" });
  await create.getByLabel("Contact", { exact: true }).check();
  await create.getByLabel("Internal name").fill(name);
  await create.getByRole("button", { name: "Create and configure" }).click();
  await expect(page).toHaveURL(/\/crm\/syncs\/\d+\/configure$/);
}

/**
 * Creates a Contact sync over the contacts whose email contains `emailPart`, maps every field with a
 * matching name, saves it, and starts it from its page (where it leaves the browser).
 */
export async function startFilteredContactSync(page: Page, name: string, emailPart: string) {
  await createContactSync(page, name);
  await page.getByRole("button", { name: "Add Filter" }).click();
  const rule = page.getByTestId("filter-rule").first();
  await rule.getByLabel("Filter field").selectOption("email");
  await rule.getByLabel("Filter operator").selectOption("contains");
  await rule.getByLabel("Filter value").fill(emailPart);
  await page.getByRole("button", { name: "Map all fields with matching names" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("save-ok")).toContainText("Saved as version 1");
  await page.getByRole("link", { name }).click();
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Start" }).click();
  await expect(page.getByTestId("sync-status")).toHaveText("Running");
}

/** Sync now from the sync's page; the browser lands on the new run's page. */
export async function syncNow(page: Page, name: string) {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Sync now" }).click();
  await expect(page).toHaveURL(/\/crm\/syncs\/\d+\/runs\/\d+$/);
  await waitForHydration(page);
}
