import { describe, expect, inject, it } from 'vitest';
import { runContainer } from '../src/docker/containers/run-container.js';
import { engine } from './helpers/engine.js';

describe('the Debian test bed image', () => {
  it('has sshd, sudo, procps, iproute2, vsftpd, busybox telnetd and netcat', async () => {
    const script = [
      '/usr/sbin/sshd -t && echo sshd-config-ok',
      'command -v sudo ps ip vsftpd nc',
      'busybox telnetd --help 2>&1 | head -1 | cut -d" " -f1-2',
      'id otto',
      'sudo -l -U otto | tail -1 | tr -s " "',
    ].join('; ');
    const result = await runContainer(engine, {
      image: inject('images').testbed,
      cmd: ['bash', '-c', script],
    });
    expect(result.stdout).toBe(
      [
        'sshd-config-ok',
        '/usr/bin/sudo',
        '/usr/bin/ps',
        '/usr/sbin/ip',
        '/usr/sbin/vsftpd',
        '/usr/bin/nc',
        'BusyBox v1.35.0',
        'uid=1000(otto) gid=1000(otto) groups=1000(otto)',
        ' (ALL) ALL',
        '',
      ].join('\n'),
    );
    expect(result.exitCode).toBe(0);
  });

  it('starts its servers from the entrypoint: ssh on 22, ftp on 21, telnet on 23', async () => {
    // The entrypoint runs in the background of a one-off shell that then lists the listeners.
    const script =
      "SERVICES=\"ftpd telnetd sshd\" /usr/local/bin/testbed-entrypoint & sleep 1; ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -u";
    const result = await runContainer(engine, {
      image: inject('images').testbed,
      cmd: ['bash', '-c', script],
      entrypoint: [],
    });
    expect(result.stdout).toBe('21\n22\n23\n');
  });
});
