import { describeHostContract } from '../../test/helpers/host-contract.js';
import { LocalHost } from './local-host.js';

describeHostContract('local', () => Promise.resolve(new LocalHost({ id: 'local-test' })));
