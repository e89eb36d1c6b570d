import { describe, expect, it } from 'vitest';
import { selectMonitorHostIds, type MonitorHostCandidates } from './monitor-hosts.js';

const LAB: MonitorHostCandidates = {
  labNames: ['main'],
  labIds: ['web1', 'web2', 'db1'],
  containerIds: ['local.demo.web', 'local.demo.client'],
};

const select = (choice: { ids?: string[]; pattern?: RegExp }, candidates = LAB) =>
  selectMonitorHostIds({ ...choice, patternFlag: '--hosts' }, candidates);

describe('selectMonitorHostIds', () => {
  it("polls every host of the lab's files by default, no container host", () => {
    expect(select({})).toEqual(['web1', 'web2', 'db1']);
  });

  it('polls the hosts named, container hosts too, in the order given', () => {
    expect(select({ ids: ['db1', 'local.demo.web'] })).toEqual(['db1', 'local.demo.web']);
  });

  it('polls the hosts whose ids match the pattern, container hosts too', () => {
    expect(select({ pattern: /web/ })).toEqual(['web1', 'web2', 'local.demo.web']);
  });

  it('refuses an unknown id, with the closest ids and the known ones', () => {
    expect(() => select({ ids: ['web1', 'web3'] })).toThrow(
      'No host "web3" in lab main; did you mean "web1" or "web2"? Hosts: web1, web2, db1, local.demo.web, local.demo.client.\nFix: otto --list-hosts lists the hosts of the lab; HOSTS is a comma-separated list of ids.',
    );
  });

  it('refuses a pattern that matches nothing', () => {
    expect(() => select({ pattern: /^mail/ })).toThrow(
      '--hosts "^mail" matches no host in lab main. Hosts: web1, web2, db1, local.demo.web, local.demo.client.\nFix: --hosts takes a regular expression searched in each host id (^web matches web1).',
    );
  });

  it('without a lab, says to give one, and that container hosts are polled only when named', () => {
    const noLab = { labNames: [], labIds: [], containerIds: ['local.demo.web'] };
    expect(() => select({}, noLab)).toThrow(
      'No host to monitor: no lab given. Container hosts are polled only when named or matched (--hosts): local.demo.web.\nFix: pass --lab NAME[,NAME...] (before the command) or set OTTO_LAB; otto --list-labs shows the labs your repos know.',
    );
    expect(() => select({ ids: ['web1'] }, noLab)).toThrow(
      'No host "web1" without a lab (--lab). Hosts: local.demo.web.\n',
    );
    expect(select({ ids: ['local.demo.web'] }, noLab)).toEqual(['local.demo.web']);
  });

  it('with a lab of no hosts, says so', () => {
    expect(() => select({}, { labNames: ['empty'], labIds: [], containerIds: [] })).toThrow(
      'No host to monitor: lab empty has none.\nFix: add hosts to the lab, or use another one (--lab NAME); otto --list-labs shows the labs.',
    );
  });
});
