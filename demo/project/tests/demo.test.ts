// The demo's suite: `otto test DemoSuite` checks the web service of the demo stack from its client
// container, after `otto run deploy`. `otto demo` runs it as a stability run (-i 3 --threshold 60),
// so the report shows the deliberately flaky test: stable at 2 passes in 3, though not at 100%;
// and monitored (--monitor), so its database shows a span per test over the containers' metrics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineSuite } from 'otto-ts';
import { CLIENT, demoOptions, WEB_URL } from '../lib/options.ts';

export default defineSuite(
  {
    name: 'DemoSuite',
    help: 'Checks the web service of the demo stack, and the status service deploy put there.',
    options: demoOptions,
    tags: ['smoke'],
    timeout: 30_000,
  },
  (t) => {
    t.test('home page answers', { tags: ['smoke'] }, async ({ host }) => {
      const result = await host(CLIENT).run(`wget -qO- ${WEB_URL}/`);
      t.expect(result.ok, 'GET / answers');
      t.expect(result.only().output.includes('otto-ts demo'), 'the home page names the demo');
    });

    t.test('status reports the deployed release', async ({ host, options }) => {
      const result = await host(CLIENT).run(`wget -qO- ${WEB_URL}/cgi-bin/status`);
      const output = result.only().output;
      t.expect(result.ok, 'GET /cgi-bin/status answers (run `otto run deploy` first)');
      t.expect(output.includes(`release: ${options.release}`), `it reports ${options.release}`);
      t.expect(/^time: \d{4}-\d\d-\d\dT[\d:]+Z$/m.test(output), 'it reports the time');
    });

    // One test per path; each keeps the page it got in its own folder (testDir).
    t.test.for(['/index.html', '/cgi-bin/status'])('serves %s', async (path, { host, testDir }) => {
      const result = await host(CLIENT).run(`wget -qO- ${WEB_URL}${path}`);
      writeFileSync(join(testDir, 'page.txt'), result.only().output);
      t.expect(result.ok, `GET ${path} answers`);
    });

    // Deliberately flaky, so that the stability report has something to say: every third
    // iteration (the 2nd, 5th, 8th...) it asks for a page that is not there.
    t.test('flaky on purpose', async ({ host, iteration }) => {
      const path = iteration % 3 === 2 ? '/missing.html' : '/';
      const result = await host(CLIENT).run(`wget -qO /dev/null ${WEB_URL}${path}`);
      t.expect(result.ok, `GET ${path} answers`);
    });
  },
);
