# A real SMTP server (aiosmtpd) on loopback for the notification tests. Every
# message it accepts is written as a JSON file to --dir: sender, recipients,
# the raw message, whether the session authenticated (and as whom) and
# whether it was encrypted. Modes: plain, starttls (required), tls (implicit).
import argparse
import json
import os
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--user")
parser.add_argument("--password")
args = parser.parse_args()


class Record:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf8", "replace"),
            "authenticated": bool(session.authenticated),
            "login": login,
            # Implicit TLS is below aiosmtpd's view: session.ssl is set by STARTTLS only.
            "tls": args.mode == "tls" or session.ssl is not None,
        }
        tmp = os.path.join(args.dir, ".%d.tmp" % self.count)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(args.dir, "%020d-%04d.json" % (time.time_ns(), self.count)))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == args.user
        and auth_data.password.decode() == args.password
    )
    # handled=False: aiosmtpd answers 535 itself (with the default True it stays silent).
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


kwargs = {}
context = None
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
if args.mode == "starttls":
    kwargs.update(tls_context=context, require_starttls=True)
elif args.mode == "tls":
    kwargs.update(ssl_context=context)
if args.user:
    kwargs.update(
        authenticator=authenticator,
        auth_required=True,
        # With implicit TLS aiosmtpd does not know the session is encrypted
        # and would hide AUTH; it is, so only STARTTLS needs the guard.
        auth_require_tls=args.mode == "starttls",
    )
else:
    kwargs.update(auth_require_tls=False)

controller = Controller(Record(), hostname="127.0.0.1", port=args.port, **kwargs)
controller.start()
print("ready", flush=True)
threading.Event().wait()
