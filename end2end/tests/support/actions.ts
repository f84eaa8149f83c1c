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
