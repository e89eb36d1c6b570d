// Options shared by the demo's instruction and suite: `otto run deploy --release 2.0` deploys a
// release, `otto test DemoSuite --release 2.0` checks that it is the one answering.
import { defineOptions } from 'otto-ts';

/** The release the status service reports. */
export const demoOptions = defineOptions({
  release: { type: 'string', default: '1.0', help: 'Release the status service reports.' },
});

/** The demo stack's services as lab hosts (`otto docker up` makes them reachable). */
export const WEB = 'local.demo.web';
export const CLIENT = 'local.demo.client';

/** The web service as the client service sees it, on the stack's network. */
export const WEB_URL = 'http://web:8080';
