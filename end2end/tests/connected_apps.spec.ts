import { test, expect } from "@playwright/test";
import { admin, salesforce } from "../playwright.config";
import { signInAndWait, waitForHydration } from "./support/actions";
import { heading, mainNav } from "./support/locators";
import { keepScreenshot } from "./support/checks";

test("connect Salesforce with wrong then right credentials, then edit without retyping the secret", async ({ page }) => {
  await signInAndWait(page, admin.email, admin.password);
  await page.goto("/settings/connected-apps");
  await waitForHydration(page);
  await expect(page.getByText("No org connected yet.")).toBeVisible();

  await page.getByRole("button", { name: "Connect", exact: true }).click();
  const form = page.getByRole("form", { name: "Connect Salesforce" });
  await form.getByLabel("CRM Domain Name").fill(salesforce.origin);
  await form.getByLabel("Client ID").fill(salesforce.clientId);
  await form.getByLabel("Client Secret").fill("a-wrong-secret");
  await form.getByRole("button", { name: "Test" }).click();
  await expect(form.getByTestId("test-result")).toContainText("The Client Secret does not match this Client ID");
  await keepScreenshot(page, "connect-wrong-secret");

  // Connect with the wrong secret saves nothing and says why.
  await form.getByRole("button", { name: /Connect/ }).click();
  await expect(form.getByRole("alert")).toContainText("The Client Secret does not match");
  await expect(page.getByTestId("connection")).toHaveCount(0);

  await form.getByLabel("Client Secret").fill(salesforce.clientSecret);
  await form.getByRole("button", { name: "Test" }).click();
  await expect(form.getByTestId("test-result")).toContainText("Connection successful");
  await expect(form.getByTestId("test-result")).toContainText(salesforce.runAs);
  await form.getByRole("button", { name: /Connect/ }).click();

  const card = page.getByTestId("connection");
  await expect(card).toHaveCount(1);
  await expect(card).toContainText("Connected");
  await expect(card).toContainText(salesforce.runAs);
  await expect(card).toContainText("API calls used in the last 24 hours");
  await expect(page.getByRole("form")).toHaveCount(0);
  await keepScreenshot(page, "connected-apps-connected");

  // Edit: the secret field starts empty and stays empty; the stored secret is used.
  await card.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: "Edit Salesforce connection" });
  await expect(edit.getByLabel("Client Secret")).toHaveValue("");
  await expect(edit.getByLabel("Client ID")).toHaveValue(salesforce.clientId);
  await edit.getByRole("button", { name: "Test" }).click();
  await expect(edit.getByTestId("test-result")).toContainText("Connection successful");
  await edit.getByRole("button", { name: /Connect/ }).click();
  await expect(page.getByRole("form")).toHaveCount(0);
  await expect(card).toContainText("Connected");

  // With a connection in place, the Syncs page moves on from "connect a CRM first".
  await mainNav(page).getByRole("link", { name: "CRM · Syncs" }).click();
  await expect(heading(page, "No syncs yet")).toBeVisible();
});

test("a domain that is not Salesforce is refused with a clear message", async ({ page }) => {
  await signInAndWait(page, admin.email, admin.password);
  await page.goto("/settings/connected-apps");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  const form = page.getByRole("form", { name: "Connect Salesforce" });
  await form.getByLabel("CRM Domain Name").fill("169.254.169.254");
  await form.getByLabel("Client ID").fill("x");
  await form.getByLabel("Client Secret").fill("y");
  await form.getByRole("button", { name: "Test" }).click();
  await expect(form.getByRole("alert")).toContainText("an IP address is not a Salesforce domain");
});
