import type { Page } from "@playwright/test";

/** Where things are on the page, by role and text, the way a person finds them. */
export const workspaceInitials = (page: Page) => page.getByTestId("workspace-initials");
export const workspaceMenu = (page: Page) => page.getByRole("menu");
export const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main" });
export const alert = (page: Page) => page.getByRole("alert");
export const heading = (page: Page, name: string) => page.getByRole("heading", { name, exact: true });
