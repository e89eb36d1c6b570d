import { describe, expect, inject, it } from 'vitest';
import { runContainer } from '../src/docker/containers/run-container.js';
import { engine } from './helpers/engine.js';
import { startTelnetTestbed } from './helpers/telnet-testbed.js';

describe('the Debian test bed image', () => {
  it('has sshd, sudo, procps, iproute2, vsftpd, busybox and inetutils telnetd and netcat', async () => {
    const script = [
      '/usr/sbin/sshd -t && echo sshd-config-ok',
      'command -v sudo ps ip vsftpd nc inetutils-inetd',
      'test -x /usr/sbin/telnetd && echo inetutils-telnetd-ok',
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
        '/usr/sbin/inetutils-inetd',
        'inetutils-telnetd-ok',
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
      "SERVICES=\"ftpd telnetd sshd\" /usr/local/bin/testbed-entrypoint & for i in $(seq 100); do [ $(ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -u | grep -cE '^(21|22|23)$') -ge 3 ] && break; sleep 0.1; done; ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -u";
    const result = await runContainer(engine, {
      image: inject('images').testbed,
      cmd: ['bash', '-c', script],
      entrypoint: [],
    });
    expect(result.stdout).toBe('21\n22\n23\n');
  });
});

describe('the test bed sshd', () => {
  it('accepts key login from AUTHORIZED_KEYS and password login, and refuses passwords when key-only', async () => {
    // One container plays both sides: it makes a key, starts the entrypoint with it, and logs in
    // over loopback with the key and then with the password (given through SSH_ASKPASS).
    const script = [
      'ssh-keygen -q -t ed25519 -N "" -f /tmp/key',
      'printf "#!/bin/sh\\necho otto\\n" > /tmp/askpass && chmod +x /tmp/askpass',
      'login() { ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@" otto@127.0.0.1 id -un; }',
      // Host keys are made at start, which takes a while under load: wait for the port, not a fixed time.
      'listening() { for i in $(seq 100); do ss -ltnH | grep -q ":22 " && return; sleep 0.1; done; }',
      'AUTHORIZED_KEYS="$(cat /tmp/key.pub)" SERVICES=sshd testbed-entrypoint & listening',
      'echo "key: $(login -i /tmp/key -o BatchMode=yes)"',
      'echo "password: $(SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force login -o PubkeyAuthentication=no </dev/null)"',
      'pkill sshd; for i in $(seq 100); do ss -ltnH | grep -q ":22 " || break; sleep 0.1; done',
      'PASSWORD_AUTH=no SERVICES=sshd testbed-entrypoint & listening',
      'echo "key-only password: $(SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force login -o PubkeyAuthentication=no </dev/null 2>&1 | tail -1 | tr -d "\\r")"',
    ].join('\n');
    const result = await runContainer(engine, {
      image: inject('images').testbed,
      cmd: ['bash', '-c', script],
      entrypoint: [],
    });
    expect(result.stdout).toBe(
      'key: otto\npassword: otto\nkey-only password: otto@127.0.0.1: Permission denied (publickey).\n',
    );
  });
});

describe('the telnet test bed', () => {
  it('starts busybox and inetutils telnetd boxes, one behind an SSH hop, and runs root commands in them', async () => {
    await using bed = await startTelnetTestbed(['direct', 'behind', 'inetutils']);
    const telnetd = "ps -o args= -C telnetd,inetutils-inetd,busybox | grep -v '^ps' | sort";
    expect(await bed.box('direct').sh(telnetd)).toBe('busybox telnetd -p 23 -l /bin/login\n');
    expect(await bed.box('inetutils').sh(telnetd)).toBe(
      '/usr/sbin/inetutils-inetd /etc/inetd.conf\n',
    );
    expect(await bed.box('behind').sh('id -un; hostname')).toBe('root\nbehind\n');
    expect(bed.hop).toMatchObject({ host: '127.0.0.1', username: 'root' });
    expect(bed.tcpTo('behind').via).toBe(bed.hopTransport().address);
    await expect(bed.box('direct').sh('exit 3')).rejects.toThrow('`exit 3` exited with 3: ');
  });
});
