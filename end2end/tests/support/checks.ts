import type { Page, Response } from "@playwright/test";
import { expect } from "@playwright/test";
import { heading } from "./locators";

export async function expectRefusedPage(page: Page, response: Response | null) {
  expect(response?.status(), "the server answers 403").toBe(403);
  await expect(heading(page, "Super users only")).toBeVisible();
  await expect(page.getByText("Only super users can do this.")).toBeVisible();
}

/** Saves a full-page screenshot into the test artifacts. */
export async function keepScreenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
