// Swagger UI at /docs, used as a person would, in headless Chromium:
// register, log in, authorize with the token, reload (the authorization must
// survive), then call the main operations. Fails on any unexpected status or
// on any request that leaves the server (the page must work offline).
//
// Usage: node check.mjs http://127.0.0.1:8080   (CHROMIUM=/usr/bin/chromium)
import { chromium } from 'playwright-core';

const base = process.argv[2];
const email = `swagger-${Date.now()}@example.com`;
const credentials = JSON.stringify({ email, password: 'a long passphrase' });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // Without the background-networking flags Chromium calls home, which this network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await (await browser.newContext()).newPage();
const offsite = [];
page.on('request', (request) => { if (!request.url().startsWith(base)) offsite.push(request.url()); });

async function execute(tag, operationId, body, id) {
  const operation = page.locator(`#operations-${tag}-${operationId}`);
  const tryOut = operation.locator('.try-out__btn');
  if (!(await tryOut.isVisible())) await operation.locator('.opblock-summary').click();
  if ((await tryOut.textContent()).includes('Try it out')) await tryOut.click();
  if (id !== undefined) await operation.locator('.parameters input[placeholder="id"]').fill(String(id));
  if (body) await operation.locator('textarea.body-param__text').fill(body);
  // The status comes from the network, not the page: after a repeated call
  // the page still shows the previous answer until the new one is rendered.
  const answered = page.waitForResponse((response) => response.url().startsWith(`${base}/api/`));
  await operation.locator('.execute').click();
  const response = await answered;
  return { status: response.status(), text: await response.text() };
}

function expect(step, actual, wanted) {
  console.log(`${step}: ${actual}`);
  if (actual !== wanted) {
    console.error(`${step}: expected ${wanted}, got ${actual}`);
    process.exitCode = 1;
  }
}

try {
  await page.goto(`${base}/docs`);
  await page.waitForSelector('#operations-auth-register_user');
  expect('health', (await execute('health', 'get_health')).status, 200);
  const registered = await execute('auth', 'register_user', credentials);
  expect('register', registered.status, 201);
  const userId = JSON.parse(registered.text).id;
  const login = await execute('auth', 'login', credentials);
  expect('login', login.status, 200);

  await page.locator('.auth-wrapper .authorize').click();
  await page.locator('.modal-ux input[type=text]').fill(JSON.parse(login.text).access_token);
  await page.locator('.modal-ux .modal-btn.auth.authorize').click();
  await page.locator('.modal-ux .btn-done').click();
  expect('me', (await execute('auth', 'get_current_user')).status, 200);

  await page.reload();
  await page.waitForSelector('#operations-auth-get_current_user');
  expect('me after reload', (await execute('auth', 'get_current_user')).status, 200);
  const reset = await execute('auth', 'request_password_reset', JSON.stringify({ email }));
  expect('password reset request', reset.status, 202);
  const file = JSON.stringify({ filename: 'from-swagger.pdf', content_type: 'application/pdf' });
  const created = await execute('files', 'create_file', file);
  expect('create file', created.status, 201);
  const fileId = JSON.parse(created.text).id;
  expect('list files', (await execute('files', 'list_files')).status, 200);
  expect('get file', (await execute('files', 'get_file', undefined, fileId)).status, 200);
  expect('update file', (await execute('files', 'update_file', '{"filename":"renamed.pdf"}', fileId)).status, 200);
  expect('get user', (await execute('users', 'get_user', undefined, userId)).status, 200);
  expect('update user', (await execute('users', 'update_user', '{"password":"another long passphrase"}', userId)).status, 200);
  expect('delete user with files', (await execute('users', 'delete_user', undefined, userId)).status, 409);
  expect('delete file', (await execute('files', 'delete_file', undefined, fileId)).status, 204);
  expect('delete user', (await execute('users', 'delete_user', undefined, userId)).status, 204);
  expect('requests that left the server', offsite.length, 0);
} finally {
  await browser.close();
}
