import { describeHostContract } from '../../test/helpers/host-contract.js';
import { LocalHost } from './local-host.js';

describeHostContract('local', (options) =>
  Promise.resolve(new LocalHost({ id: 'local-test', ...options })),
);
describeHostContract(
  'local on a terminal',
  (options) => Promise.resolve(new LocalHost({ id: 'local-pty', pty: true, ...options })),
  { hasPty: true },
);
