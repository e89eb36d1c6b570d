#!/bin/sh
# Starts the test bed's servers. Environment:
#   SERVICES         which servers to run: any of "sshd ftpd telnetd" (default: all three)
#   AUTHORIZED_KEYS  public keys allowed to log in as otto and root
#   PASSWORD_AUTH    "no" makes SSH key-only
#   TELNETD          "inetutils" serves telnet (port 23) with inetutils-telnetd under inetutils-inetd
#                    instead of busybox telnetd (the default)
# Host keys are made at start, so every container has its own. Arguments, when given, run instead
# of the servers (after the keys are set up).
set -e
ssh-keygen -A >/dev/null
if [ -n "$AUTHORIZED_KEYS" ]; then
  for home in /root /home/otto; do
    mkdir -p "$home/.ssh"
    printf '%s\n' "$AUTHORIZED_KEYS" > "$home/.ssh/authorized_keys"
    chmod 700 "$home/.ssh"; chmod 600 "$home/.ssh/authorized_keys"
  done
  chown -R otto:otto /home/otto/.ssh
fi
if [ "$PASSWORD_AUTH" = "no" ]; then
  echo 'PasswordAuthentication no' > /etc/ssh/sshd_config.d/00-key-only.conf
fi
if [ "$#" -gt 0 ]; then exec "$@"; fi
services="${SERVICES:-sshd ftpd telnetd}"
case " $services " in *" ftpd "*) vsftpd /etc/vsftpd.conf & ;; esac
case " $services " in
  *" telnetd "*)
    if [ "$TELNETD" = "inetutils" ]; then
      echo 'telnet stream tcp nowait root /usr/sbin/telnetd telnetd' > /etc/inetd.conf
      /usr/sbin/inetutils-inetd /etc/inetd.conf
    else
      busybox telnetd -p 23 -l /bin/login
    fi ;;
esac
case " $services " in
  *" sshd "*) exec /usr/sbin/sshd -D -e ;;
  *) exec sleep infinity ;;
esac
