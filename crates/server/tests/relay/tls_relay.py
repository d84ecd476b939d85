"""A TLS SMTP relay we did not write (aiosmtpd), for the service's mail tests.

    tls_relay.py MODE PORT CERT KEY OUTDIR USER PASSWORD

MODE is `starttls` (STARTTLS required before anything else) or `smtps` (TLS from the first
byte). AUTH (PLAIN, LOGIN) is required, only over TLS, with USER and PASSWORD. Each message
received is written to OUTDIR as `<n>.eml`, its envelope recipients on the first line. Prints
`ready` once it listens; runs until killed.
"""

import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        self.count += 1
        path = os.path.join(self.outdir, f"{self.count}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write((",".join(envelope.rcpt_tos) + "\n").encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Kept"


def main():
    mode, port, cert, key, outdir, user, password = sys.argv[1:8]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok)

    common = dict(
        hostname="127.0.0.1",
        port=int(port),
        authenticator=authenticate,
        server_hostname="localhost",
    )
    if mode == "starttls":
        controller = Controller(
            Keep(outdir),
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            **common,
        )
    else:
        # Every byte is over TLS here, which aiosmtpd's `auth_require_tls` does not see (it
        # looks for STARTTLS only). The controller checks that it answers by connecting to
        # itself: over TLS, with no check of its own test certificate.
        controller = Controller(
            Keep(outdir), ssl_context=context, auth_require_tls=False, **common
        )
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
