import { test, expect } from "@playwright/test";
import { admin } from "../playwright.config";
import { addMember, firstSignIn, signIn, signInAndWait, waitForHydration } from "./support/actions";
import { alert, workspaceInitials } from "./support/locators";
import { keepScreenshot } from "./support/checks";

test("a super user disables a member, whose open session ends at once, then enables them again", async ({
  page,
  browser,
}) => {
  await signInAndWait(page, admin.email, admin.password);
  const member = await addMember(page, "Dana Disabled");
  const row = page.getByTestId("user-row").filter({ hasText: member.email });
  await expect(row).toContainText("New password pending");

  const context = await browser.newContext();
  const memberPage = await context.newPage();
  const password = await firstSignIn(memberPage, member);
  await page.reload();
  await waitForHydration(page);
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("Disabled");
  await keepScreenshot(page, "users-disabled");

  // The member's next step finds the session gone.
  await memberPage.goto("/contacts");
  await expect(memberPage).toHaveURL(/\/sign-in$/);
  await signIn(memberPage, member.email, password);
  await expect(alert(memberPage)).toContainText("people whose account is enabled");

  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row).toContainText("Active");
  await signIn(memberPage, member.email, password);
  await expect(workspaceInitials(memberPage)).toBeVisible();
  await context.close();
});

test("anyone changes their own password from the workspace menu", async ({ page, browser }) => {
  await signInAndWait(page, admin.email, admin.password);
  const member = await addMember(page, "Pat Password");
  const context = await browser.newContext();
  const memberPage = await context.newPage();
  const chosen = await firstSignIn(memberPage, member);

  await workspaceInitials(memberPage).click();
  await memberPage.getByRole("menuitem", { name: "Change password" }).click();
  await expect(memberPage.getByRole("heading", { name: "Change password" })).toBeVisible();
  await waitForHydration(memberPage);
  await memberPage.getByLabel("Current password").fill("not my password at all");
  await memberPage.getByLabel(/^New password/).fill("a second password of mine");
  await memberPage.getByLabel("Repeat the new password").fill("a second password of mine");
  await memberPage.getByRole("button", { name: "Save password" }).click();
  await expect(alert(memberPage)).toHaveText("Current password: it is not the password you signed in with");
  await keepScreenshot(memberPage, "change-password-refused");

  await memberPage.getByLabel("Current password").fill(chosen);
  await memberPage.getByRole("button", { name: "Save password" }).click();
  await expect(workspaceInitials(memberPage)).toBeVisible();
  await context.close();
});
