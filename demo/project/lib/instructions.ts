// The demo's instruction: `otto run deploy` deploys a small status service into the web container
// of the demo stack (started by `otto docker up`, or by `otto demo`) and checks that it answers
// from the client container, over the stack's own network.
import { fileURLToPath } from 'node:url';
import { defineInstruction, quotePosix, waitUntil } from 'otto-ts';
import { CLIENT, demoOptions, WEB, WEB_URL } from './options.ts';

/** The files to deploy, beside this module (not the current folder: the demo runs from anywhere). */
const SERVICE_DIR = fileURLToPath(new URL('./service/cgi-bin', import.meta.url));

/** `otto run deploy [--release R]`: puts the status service into the web container. */
export const deploy = defineInstruction({
  name: 'deploy',
  help: 'Deploy the status service into the demo web container and check that it answers.',
  options: demoOptions,
  async run({ host, options, logger, signal }) {
    const web = host(WEB);
    await web.put([SERVICE_DIR], '/www');
    await web.run(`echo ${quotePosix(options.release)} > /www/release.txt`, { check: true });
    // The web server may still be starting when the stack has just come up: ask until it answers.
    const status = await waitUntil(
      async () => {
        const result = await host(CLIENT).run(`wget -qO- ${WEB_URL}/cgi-bin/status`);
        return result.ok ? result : undefined;
      },
      { timeoutMs: 10_000, what: `${WEB_URL}/cgi-bin/status to answer`, signal },
    );
    const release = /^release: (.*)$/m.exec(status.only().output)?.[1];
    if (release !== options.release)
      throw new Error(
        `${WEB_URL}/cgi-bin/status reports release ${release}, not ${options.release}`,
      );
    logger.info(`deploy: release ${release} answers at ${WEB_URL}/cgi-bin/status`);
  },
});
