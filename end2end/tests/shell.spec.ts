import { test, expect } from "@playwright/test";
import { admin } from "../playwright.config";
import { addMember, firstSignIn, signIn, signInAndWait, openWorkspaceMenu, signOut, waitForHydration } from "./support/actions";
import { workspaceInitials, workspaceMenu, mainNav, alert, heading } from "./support/locators";
import { expectRefusedPage, keepScreenshot } from "./support/checks";

test("a super user signs in and sees the Komo shell", async ({ page }) => {
  await signInAndWait(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(workspaceInitials(page)).toHaveText(admin.initials);
  // Empty unless the import test (contacts.spec.ts) ran first in this database.
  await expect(heading(page, "No contacts yet").or(page.getByTestId("contacts-count"))).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "CRM · Syncs" })).toBeVisible();
  await keepScreenshot(page, "contacts-empty");

  await openWorkspaceMenu(page);
  await expect(workspaceMenu(page).getByText(admin.workspace)).toBeVisible();
  await keepScreenshot(page, "shell-menu");
  await workspaceMenu(page).getByRole("menuitem", { name: "Account Settings" }).click();
  await expect(heading(page, "Account Settings")).toBeVisible();
  await expect(workspaceMenu(page)).toBeHidden();
  await page.getByRole("link", { name: /Connected Apps/ }).click();
  await expect(heading(page, "Salesforce")).toBeVisible();
  await expect(page.getByText("Coming soon")).toBeVisible();
  await keepScreenshot(page, "connected-apps");

  await mainNav(page).getByRole("link", { name: "CRM · Syncs" }).click();
  // What shows depends on which specs ran first in this database: nothing connected yet (Connected Apps),
  // connected without syncs, or the sync the contacts test made to push a contact.
  await expect(
    heading(page, "Connect a CRM first").or(heading(page, "No syncs yet")).or(page.getByTestId("syncs-table")),
  ).toBeVisible();
  await keepScreenshot(page, "syncs-empty");
});

test("a wrong password gets one generic message", async ({ page }) => {
  await signIn(page, "nobody@acme.example", "not the right password");
  await expect(alert(page)).toHaveText("The email or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a member is refused the CRM pages, and signing out ends the session", async ({ page, browser }) => {
  // The super user adds the member on the admin page.
  await signInAndWait(page, admin.email, admin.password);
  const member = await addMember(page, "Mia Member");
  await keepScreenshot(page, "users");

  // The member, in a browser of their own.
  const context = await browser.newContext();
  const memberPage = await context.newPage();
  await firstSignIn(memberPage, member);
  await expect(mainNav(memberPage).getByRole("link", { name: "CRM · Syncs" })).toHaveCount(0);
  const response = await memberPage.goto("/crm/syncs");
  await expectRefusedPage(memberPage, response);
  await keepScreenshot(memberPage, "member-refused");
  await expectRefusedPage(memberPage, await memberPage.goto("/settings/connected-apps"));

  await memberPage.goto("/contacts");
  await waitForHydration(memberPage);
  await signOut(memberPage);
  await expect(memberPage).toHaveURL(/\/sign-in$/);
  await memberPage.goto("/contacts");
  await expect(memberPage).toHaveURL(/\/sign-in$/);
  await context.close();
});

test("the shell fits a narrow screen without sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signInAndWait(page, admin.email, admin.password);
  for (const path of ["/contacts", "/crm/syncs", "/settings", "/settings/users"]) {
    await page.goto(path);
    await expect(workspaceInitials(page)).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
  }
  await keepScreenshot(page, "narrow-users");
});
