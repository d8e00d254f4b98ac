// The inbox's doors, as people go through them in Chromium: signing in and signing up.

/** Signs in on the inbox with `email` and `password`, and waits for the conversation list. */
export async function signInToInbox(page, edge, { email, password }) {
  await page.goto(`${edge.edge}/inbox`);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
}

/** Opens the inbox's sign-up form and fills it in; `submitSignUp` sends it. */
export async function fillSignUp(page, edge, { name, email, password, workspace, website }) {
  await page.goto(`${edge.edge}/inbox`);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create your workspace' }).waitFor();
  await page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('textbox', { name: 'Workspace name' }).fill(workspace);
  await page.getByRole('textbox', { name: 'Website' }).fill(website);
}

/** Sends the filled-in sign-up form; answers the snippet the onboarding page shows and the new site. */
export async function submitSignUp(page) {
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'Add Provixchat to your site' }).waitFor();
  const snippet = await page.getByRole('textbox', { name: 'Your snippet' }).inputValue();
  return { snippet, site: snippet.match(/data-site="([a-z0-9-]+)"/)[1] };
}
